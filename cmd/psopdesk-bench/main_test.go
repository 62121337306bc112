package main

import (
	"regexp"
	"strings"
	"testing"
)

// The bench runs whole at a tiny size (it builds psopdesk, so it is
// skipped with -short): a sync that fetched every change, a floor, and
// the one line with every figure.
func TestBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("builds psopdesk")
	}
	var log strings.Builder
	res, err := run(t.Context(), config{customers: 200}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if res.changes == 0 || res.pages == 0 || res.syncS <= 0 || res.floorS <= 0 || res.peakRSSMB <= 0 || res.peakAnonMB <= 0 || res.cacheMB <= 0 {
		t.Errorf("figures missing: %+v\n%s", res, log.String())
	}
	line := regexp.MustCompile(`^sync_s=[0-9.]+ floor_s=[0-9.]+ ratio=[0-9.]+ peak_rss_mb=[0-9]+ peak_anon_mb=[0-9]+ cache_mb=[0-9]+$`)
	if !line.MatchString(res.String()) {
		t.Errorf("line %q", res.String())
	}
	if !strings.Contains(log.String(), "changes in") {
		t.Errorf("log:\n%s", log.String())
	}
}
