/*
 * clock.h - the wall clock, in one place: Unix seconds (UTC). Rules take
 * the time from here (or as a parameter), never from web code.
 */
#ifndef QUIRE_CORE_CLOCK_H
#define QUIRE_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}

#endif
