package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/beacceaf/gokernel/kernel/wire"
)

// A Debugger is an Interpreter that front ends can debug, as JupyterLab's
// debugger panel does, with the Debug Adapter Protocol (DAP) carried in
// debug_request, debug_reply and debug_event messages. An Interpreter
// that implements it is announced with "debugger": true in
// kernel_info_reply.
//
// The Server never looks inside the DAP messages beyond their type,
// sequence number and command: the Debugger answers every command,
// including the Jupyter-specific ones (debugInfo, dumpCell,
// inspectVariables and the like).
type Debugger interface {
	// Debug answers one DAP request, given as a JSON object, with its DAP
	// response, a JSON object. It runs on the control goroutine, so it is
	// called while Execute runs, also while a cell is stopped at a
	// breakpoint, and it must not wait for the cell.
	Debug(ctx context.Context, request []byte) []byte

	// SetDebugEvents sets where the Debugger sends DAP events (a stopped
	// thread, say), each a JSON object. The Server calls it once, before
	// the first Debug call, and publishes each event as debug_event.
	SetDebugEvents(events func(event []byte))
}

// debugState is what the Server keeps for its Debugger: whether the
// event sink is set, and the request that events name as their parent.
type debugState struct {
	once   sync.Once
	mu     sync.Mutex
	parent *wire.Message // the last debug_request
}

// dapRequest is the part of a DAP request that the Server reads.
type dapRequest struct {
	Seq     int    `json:"seq"`
	Type    string `json:"type"`
	Command string `json:"command"`
}

// debugRequest serves debug_request on the control channel: the
// Debugger answers it, or, when there is none or the request is not a DAP
// request, the reply is a DAP response with success false and a message.
func (s *Server) debugRequest(ctx context.Context, r *router, req *wire.Message) error {
	var dr dapRequest
	err := json.Unmarshal(req.Content, &dr)
	d, ok := s.interp.(Debugger)
	switch {
	case err != nil:
		err = fmt.Errorf("malformed DAP request: %w", err)
	case dr.Type != "request" || dr.Command == "":
		err = fmt.Errorf("not a DAP request: it needs \"type\": \"request\" and a command")
	case !ok:
		err = fmt.Errorf("this kernel has no debugger")
	}
	if err != nil {
		s.log.Printf("%s: debug_request: %v", r.name, err)
		s.reply(r, req, map[string]any{
			"type": "response", "seq": 0, "request_seq": dr.Seq, "command": dr.Command,
			"success": false, "message": err.Error(),
		})
		return nil
	}
	s.debug.mu.Lock()
	s.debug.parent = req
	s.debug.mu.Unlock()
	s.debug.once.Do(func() { d.SetDebugEvents(s.debugEvent) })

	resp := d.Debug(ctx, req.Content)
	if !json.Valid(resp) {
		s.log.Printf("%s: debug_request %s: the debugger answered with invalid JSON", r.name, dr.Command)
		resp, _ = json.Marshal(map[string]any{
			"type": "response", "seq": 0, "request_seq": dr.Seq, "command": dr.Command,
			"success": false, "message": "internal error: the debugger's answer is not JSON",
		})
	}
	s.reply(r, req, json.RawMessage(resp))
	return nil
}

// debugEvent publishes one DAP event as debug_event on IOPub, with the
// last debug_request as its parent.
func (s *Server) debugEvent(event []byte) {
	if !json.Valid(event) {
		s.log.Printf("debug_event: the debugger sent invalid JSON; dropped")
		return
	}
	s.debug.mu.Lock()
	parent := s.debug.parent
	s.debug.mu.Unlock()
	s.publish(parent, "debug_event", json.RawMessage(event))
}

// addDebuggerInfo marks kernel_info_reply's content with the debugger,
// when the Interpreter has one.
func (s *Server) addDebuggerInfo(content map[string]any) {
	_, ok := s.interp.(Debugger)
	content["debugger"] = ok
	if ok {
		content["supported_features"] = []string{"debugger"}
	}
}
