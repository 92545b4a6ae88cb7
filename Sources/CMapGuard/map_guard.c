#define _GNU_SOURCE
#include "map_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 256

static _Atomic uintptr_t starts[SLOTS];
static _Atomic uintptr_t ends[SLOTS];
static _Atomic long faults[SLOTS];
static long page_size = 4096;
static struct sigaction previous;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void on_bus_error(int signal, siginfo_t *info, void *context) {
  uintptr_t address = (uintptr_t)info->si_addr;
  for (int slot = 0; slot < SLOTS; slot++) {
    uintptr_t start = atomic_load(&starts[slot]);
    uintptr_t end = atomic_load(&ends[slot]);
    if (start != 0 && address >= start && address < end) {
      void *page = (void *)(address & ~(uintptr_t)(page_size - 1));
      // Zeros where the file's page was: the reader goes on, and the load reports the file.
      if (mmap(page, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
        atomic_fetch_add(&faults[slot], 1);
        return;
      }
      break;
    }
  }
  // Not a guarded mapping: the fault is what it was before the guard.
  sigaction(SIGBUS, &previous, NULL);
  raise(signal);
  (void)context;
}

static void install(void) {
  long size = sysconf(_SC_PAGESIZE);
  if (size > 0) page_size = size;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_bus_error;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &previous);
}

void crmq_map_guard_install(void) { pthread_once(&once, install); }

int crmq_map_guard_register(const void *base, size_t size) {
  crmq_map_guard_install();
  for (int slot = 0; slot < SLOTS; slot++) {
    uintptr_t expected = 0;
    if (atomic_compare_exchange_strong(&starts[slot], &expected, (uintptr_t)1)) {
      atomic_store(&faults[slot], 0);
      atomic_store(&ends[slot], (uintptr_t)base + size);
      atomic_store(&starts[slot], (uintptr_t)base);
      return slot;
    }
  }
  return -1;
}

void crmq_map_guard_unregister(int slot) {
  if (slot < 0 || slot >= SLOTS) return;
  atomic_store(&ends[slot], 0);
  atomic_store(&starts[slot], 0);
}

long crmq_map_guard_faults(int slot) {
  if (slot < 0 || slot >= SLOTS) return 0;
  return atomic_load(&faults[slot]);
}
