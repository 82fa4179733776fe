/*
 * notify.h - the service manager's readiness protocol (systemd's
 * Type=notify): one datagram of "KEY=value" lines to the AF_UNIX socket
 * named by $NOTIFY_SOCKET ("@name" is the abstract namespace). Nothing is
 * sent when the variable is unset.
 *
 * Written here rather than linked from libsystemd: four messages a run
 * did not justify mapping libsystemd and what it loads (libgcrypt,
 * libcap, lz4, zstd: 0.8 MB of resident pages in every server).
 */
#ifndef QUIRE_CORE_NOTIFY_H
#define QUIRE_CORE_NOTIFY_H

#include <stdbool.h>

/* Send msg; false if $NOTIFY_SOCKET is set but the message could not be
 * sent (the caller carries on: readiness is advice to the manager). */
bool service_notify(const char *msg);

#endif
