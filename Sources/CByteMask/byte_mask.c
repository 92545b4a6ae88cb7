// The mask is an inline function in the header; this file gives the target its one source.
#include "byte_mask.h"
