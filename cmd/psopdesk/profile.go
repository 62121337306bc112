package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the command to the file named
// by the environment variable PSOPDESK_CPUPROFILE, when it is set (for
// cmd/psopdesk-bench; not a flag a user sees). stop ends it.
func startCPUProfile() (stop func(), err error) {
	path := os.Getenv("PSOPDESK_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
