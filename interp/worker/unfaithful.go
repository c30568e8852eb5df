package worker

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"

	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// An unfaithful feature is a part of Go's runtime that the interpreter
// cannot reproduce: what it answers describes the interpreter, not the
// cell's program. A cell may use one harmlessly (to print a line number),
// so it is not refused; but when a cell that used one ends in a panic or a
// non-zero os.Exit, that end is reported as the interpreter's failure
// (see session.unfaithfulEnd), since a self-checking program fails this
// way when the answer was wrong.
type unfaithful uint32

const (
	usedStack     unfaithful = 1 << iota // runtime.Caller, Callers, FuncForPC, Stack; debug.Stack
	usedFinalizer                        // runtime.SetFinalizer
	usedAllocs                           // runtime.ReadMemStats, testing.AllocsPerRun
	usedRecover                          // the message of a recovered runtime error that yaegi words differently
	usedReflect                          // reflect.TypeOf or ValueOf on a type that yaegi shows reflect otherwise (gosrc reflectCall)
)

// why says what the interpreter does differently, for the error's
// traceback.
func (u unfaithful) why() []string {
	var out []string
	if u&usedStack != 0 {
		out = append(out, "The cell looked at its call stack (runtime.Caller, Callers, FuncForPC, Stack): in the interpreter these see the interpreter's own frames, not the cell's functions.")
	}
	if u&usedFinalizer != 0 {
		out = append(out, "The cell set finalizers (runtime.SetFinalizer): the interpreter keeps values alive longer than compiled Go does, so finalizers run late or never.")
	}
	if u&usedAllocs != 0 {
		out = append(out, "The cell counted allocations (runtime.ReadMemStats, testing.AllocsPerRun): the interpreter allocates where compiled Go does not.")
	}
	if u&usedReflect != 0 {
		out = append(out, "The cell passed a value of one of its own types to reflect (reflect.TypeOf, ValueOf): in the interpreter, reflect sees neither that type's name nor its methods, and unexported fields are renamed.")
	}
	if u&usedRecover != 0 {
		out = append(out, "The cell read the message of a runtime error that it recovered (an index out of range, a failed type assertion): the interpreter cannot give it in Go's words.")
	}
	return out
}

// unfaithfulUse records which unfaithful features the running cell used;
// exec clears it.
type unfaithfulUse struct{ bits atomic.Uint32 }

func (u *unfaithfulUse) note(f unfaithful) {
	for {
		old := u.bits.Load()
		if old&uint32(f) != 0 || u.bits.CompareAndSwap(old, old|uint32(f)) {
			return
		}
	}
}

func (u *unfaithfulUse) take() unfaithful { return unfaithful(u.bits.Swap(0)) }

// unfaithfulOverrides wraps the unfaithful functions so that a call is
// noted; each then does what it does in the interpreter.
func (s *session) unfaithfulOverrides() map[string]map[string]reflect.Value {
	u := &s.unfaithful
	return map[string]map[string]reflect.Value{
		"runtime/runtime": {
			"Caller": reflect.ValueOf(func(skip int) (uintptr, string, int, bool) {
				u.note(usedStack)
				return runtime.Caller(skip + 1)
			}),
			"Callers": reflect.ValueOf(func(skip int, pc []uintptr) int {
				u.note(usedStack)
				return runtime.Callers(skip+1, pc)
			}),
			"FuncForPC": reflect.ValueOf(func(pc uintptr) *runtime.Func {
				u.note(usedStack)
				return runtime.FuncForPC(pc)
			}),
			"Stack": reflect.ValueOf(func(buf []byte, all bool) int {
				u.note(usedStack)
				return runtime.Stack(buf, all)
			}),
			"SetFinalizer": reflect.ValueOf(func(obj, finalizer any) {
				u.note(usedFinalizer)
				s.w.fin.setFinalizer(obj, finalizer)
			}),
			"GC": reflect.ValueOf(func() { s.w.fin.gc(s.w) }),
			"ReadMemStats": reflect.ValueOf(func(m *runtime.MemStats) {
				u.note(usedAllocs)
				runtime.ReadMemStats(m)
			}),
		},
		"runtime/debug/debug": {
			"Stack": reflect.ValueOf(func() []byte {
				u.note(usedStack)
				return debug.Stack()
			}),
		},
		"testing/testing": {
			"AllocsPerRun": reflect.ValueOf(func(runs int, f func()) float64 {
				u.note(usedAllocs)
				return testing.AllocsPerRun(runs, f)
			}),
		},
	}
}

// unfaithfulEnd reports a cell that used an unfaithful feature and ended
// in perr, a panic or a non-zero os.Exit, as the interpreter's failure,
// with perr's own lines kept. A cell that read the message of a recovered
// runtime error, which it may have shown, fails so even when it ended
// well. Other ends are returned as they are.
func unfaithfulEnd(used unfaithful, perr *proto.Error) *proto.Error {
	if perr == nil && used&usedRecover != 0 {
		tb := append([]string{"InterpreterError: the cell read the message of a runtime error that the interpreter words differently from Go; run it as a whole program."}, used.why()...)
		tb = append(tb, "A cell that declares func main runs as a whole program, compiled by Go.")
		return &proto.Error{Name: proto.EnameInterpreter, Value: "the message of a recovered runtime error differs from Go's; run it as a whole program", Traceback: tb}
	}
	if used == 0 || perr == nil {
		return perr
	}
	switch perr.Name {
	case "Panic", "RuntimeError", "Exit":
	default:
		return perr
	}
	if perr.Name == "Exit" && perr.Value == "the cell called os.Exit(0)" {
		return perr
	}
	tb := append([]string{"InterpreterError: the cell ended with " + perr.Name + ": " + perr.Value +
		"; it may come from what the interpreter cannot reproduce; run it as a whole program."}, used.why()...)
	tb = append(tb, perr.Traceback...)
	tb = append(tb, "A cell that declares func main runs as a whole program, compiled by Go.")
	return &proto.Error{Name: proto.EnameInterpreter, Value: perr.Value + " (the interpreter cannot reproduce what the cell used; run it as a whole program)", Traceback: tb}
}
