#ifndef CRMQ_MAP_GUARD_H
#define CRMQ_MAP_GUARD_H

#include <stddef.h>

/// Guards file mappings against SIGBUS: a mapped file truncated or replaced while it is read
/// makes its vanished pages fault. Within a registered mapping, the handler maps zero pages
/// over the fault and counts it, so the reader finishes and can report the file; a fault
/// anywhere else is left to the default action (a crash, as before).

/// Installs the handler once (idempotent, thread-safe).
void crmq_map_guard_install(void);
/// Registers a mapping; returns its slot, or -1 when the table is full (the mapping is then unguarded).
int crmq_map_guard_register(const void *base, size_t size);
/// Forgets a slot.
void crmq_map_guard_unregister(int slot);
/// The faults caught in a slot since it was registered.
long crmq_map_guard_faults(int slot);

#endif
