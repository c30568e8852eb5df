//go:build !profile

package main

import "log"

// startProfiles only says that this kernel cannot profile itself: that
// takes a build with -tags profile (see profile.go). The worker still
// profiles itself.
func startProfiles(dir string, logger *log.Logger) (stop func()) {
	if dir != "" {
		logger.Printf("%s is set, but this kernel was built without -tags profile: only its worker writes profiles", profileEnv)
	}
	return func() {}
}
