/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tunefold.h — the whole public API in one include, the library's version,
 * and its initialiser.
 *
 *     #include <tunefold/tunefold.h>
 *     tune_init();            once, before any other call
 *
 * Every other header in include/tunefold/ stands alone too. */
#ifndef TUNEFOLD_TUNEFOLD_H
#define TUNEFOLD_TUNEFOLD_H

#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/space.h"
#include "tunefold/cv.h"
#include "tunefold/preprocess.h"
#include "tunefold/trainer.h"
#include "tunefold/searcher.h"
#include "tunefold/pruner.h"
#include "tunefold/store.h"
#include "tunefold/watch.h"
#include "tunefold/config.h"
#include "tunefold/metrics.h"
#include "tunefold/stats.h"
#include "tunefold/predictions.h"
#include "tunefold/study.h"
#include "tunefold/pareto.h"
#include "tunefold/external.h"
#include "tunefold/kmeans.h"
#include "tunefold/report.h"
#include "tunefold/text.h"
#include "tunefold/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prepare the library for use; call once before anything else (more calls
 * are harmless).  It switches off GSL's default error handler, which aborts
 * the process: the library checks every GSL status itself and turns it into
 * a tune_error.  Note that the handler is process-wide, so a host program
 * that relies on GSL's abort for its own GSL calls loses it.  Returns
 * TUNE_OK. */
int tune_init(void);

/* "0.2.0": the library's version. */
const char *tune_version(void);

/* One line naming the versions of the libraries tunefold was built with and
 * runs against, e.g. "GSL 2.7.1, NLopt 2.7.1, SQLite 3.40.1, cJSON 1.7.15".
 * Static storage. */
const char *tune_version_libraries(void);

#ifdef __cplusplus
}
#endif
#endif
