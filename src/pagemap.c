/* pagemap.c (STUB) */
#include "config.h"
typedef int iv_pagemap_stub;
