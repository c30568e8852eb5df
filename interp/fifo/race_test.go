//go:build race

package fifo_test

// raceDetector is true when the tests run with -race.
const raceDetector = true
