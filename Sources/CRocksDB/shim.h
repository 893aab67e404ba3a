#ifndef GUTS_CROCKSDB_SHIM_H
#define GUTS_CROCKSDB_SHIM_H
#include <rocksdb/c.h>
#endif
