// libpq, PostgreSQL's own C client (Debian: libpq-dev): connections by URL with the libpq
// environment variables and ~/.pgpass, queries sent without blocking so Ctrl-C can cancel them
// on the server, and COPY for `crmq push`.
#include <libpq-fe.h>
#include <poll.h>

/// Waits up to `milliseconds` for the connection's socket to have something to read.
static inline int crmq_pq_wait(PGconn *connection, int milliseconds) {
  struct pollfd descriptor = { PQsocket(connection), POLLIN, 0 };
  return poll(&descriptor, 1, milliseconds);
}
