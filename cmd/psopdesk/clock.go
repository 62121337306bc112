package main

import (
	"fmt"
	"time"

	"psopdesk/data"
)

// clock is the -now flag: unset, the system clock; set to an RFC 3339
// instant, a clock that starts there when the program starts and runs on.
type clock struct {
	start time.Time // the -now instant
	at    time.Time // when the flag was set (the system clock)
}

// String gives the -now value, "" when unset.
func (c *clock) String() string {
	if c == nil || c.start.IsZero() {
		return ""
	}
	return c.start.Format(time.RFC3339)
}

// Set parses an RFC 3339 instant.
func (c *clock) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 instant such as 2026-12-01T09:00:00+02:00")
	}
	c.start, c.at = t, time.Now()
	return nil
}

// Now is the clock's time.
func (c *clock) Now() time.Time {
	if c.start.IsZero() {
		return time.Now()
	}
	return c.start.Add(time.Since(c.at))
}

// Today is the clock's day in Helsinki.
func (c *clock) Today() data.Date { return data.DateOf(c.Now().In(data.Helsinki)) }
