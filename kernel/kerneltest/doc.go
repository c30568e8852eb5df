// Package kerneltest provides what tests of gokernel need to exercise a
// kernel without a Jupyter front end: a Recorder that is a kernel.Output,
// a scriptable FakeInterpreter, and a Client that drives a real
// kernel.Server over loopback ZeroMQ.
package kerneltest
