/* SPDX-License-Identifier: GPL-3.0-or-later */
/* curve.c — a slow score-mode program for the early-stopping tests: it
 * learns for --steps=N steps (default 20), --delay=S seconds each (0.2),
 * printing {"step": s, "value": rate + 1/s} after each, then the objective
 * {"objective": rate + 1/N}.  A larger --rate is worse at every step.
 * --pidfile=PATH: its pid is appended to PATH at start (after, with
 * --fault=linger, the pid of a child it forks to sleep 30 s holding
 * stdout, as faults.h's linger does); --fault=ignore_term
 * makes it ignore SIGTERM (only SIGKILL ends it) once it has started. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS in faults.h */
#include "faults.h"

int main(int argc, char **argv)
{
    const char *rate_s = tu_param(argc, argv, "rate", "TUNEFOLD_P_RATE");
    const char *steps_s = tu_param(argc, argv, "steps", "TUNEFOLD_P_STEPS");
    const char *delay_s = tu_param(argc, argv, "delay", "TUNEFOLD_P_DELAY");
    const char *pidfile = tu_param(argc, argv, "pidfile", "TUNEFOLD_P_PIDFILE");
    const char *fault = tu_param(argc, argv, "fault", "TUNEFOLD_P_FAULT");
    double rate = rate_s ? strtod(rate_s, NULL) : 1;
    int steps = steps_s ? atoi(steps_s) : 20;
    double delay = delay_s ? strtod(delay_s, NULL) : 0.2;
    long child = 0;
    if (fault && strcmp(fault, "ignore_term") == 0) {
        signal(SIGTERM, SIG_IGN);
    } else if (fault && strcmp(fault, "linger") == 0) {
        /* faults.h's linger, but every run's child is listed */
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            tu_sleep(30);
            _exit(0);
        }
        child = pid;
    } else {
        tu_apply_fault(fault, NULL);
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "a");
        if (f) {
            if (child > 0)
                fprintf(f, "%ld\n", child);
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int s = 1; s <= steps; s++) {
        tu_sleep(delay);
        printf("{\"step\": %d, \"value\": %.17g}\n", s, rate + 1.0 / s);
    }
    printf("{\"objective\": %.17g}\n", rate + 1.0 / steps);
    return 0;
}
