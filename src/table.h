/* table.h — internals of the CSV table reader shared with the dataset
 * split (src/table.c, src/dataset.c). */
#ifndef TUNEFOLD_SRC_TABLE_H
#define TUNEFOLD_SRC_TABLE_H

#include <stddef.h>
#include "tunefold/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Free cols[0..n) with their names and levels; NULL is fine. */
void tune_columns_free(struct tune_column *cols, size_t n);

#ifdef __cplusplus
}
#endif
#endif
