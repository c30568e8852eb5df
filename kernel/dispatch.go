package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beacceaf/gokernel/kernel/wire"
)

// ProtocolVersion is the version of the messaging protocol this package
// speaks. 5.4 and later need iopub_welcome, which zmq4 cannot support.
const ProtocolVersion = "5.3"

// A handler serves one request type. It may return errAbortQueue to ask
// the shell loop to abort the requests queued behind it.
type handler func(s *Server, ctx context.Context, r *router, req *wire.Message) error

var (
	errAbortQueue = errors.New("abort queued requests")
	errShutdown   = errors.New("shut down")
)

// handlers is the one dispatch table, keyed by message type. Requests of
// any other type get busy/idle and a log line; on control, where a client
// waits for every reply, they get an error reply too.
var handlers = map[string]handler{
	"kernel_info_request": (*Server).kernelInfo,
	"execute_request":     (*Server).execute,
	"complete_request":    (*Server).complete,
	"inspect_request":     (*Server).inspect,
	"is_complete_request": (*Server).isComplete,
	"history_request":     (*Server).historyRequest,
	"comm_info_request":   (*Server).commInfo,
	"comm_open":           (*Server).commOpen,
	"comm_msg":            (*Server).ignore,
	"comm_close":          (*Server).ignore,
	"interrupt_request":   (*Server).interruptRequest,
	"shutdown_request":    (*Server).shutdownRequest,
	"usage_request":       (*Server).usageRequest,
	"debug_request":       (*Server).debugRequest,
}

// dispatch runs req's handler inside a busy/idle frame. A panic in a
// handler is logged and reported; it never ends the kernel. Once idle is
// out, the kernel collects its garbage if it is due (collect.go).
func (s *Server) dispatch(ctx context.Context, r *router, req *wire.Message) (err error) {
	s.status(req, "busy")
	defer s.gc.collectIfDue()
	defer s.status(req, "idle")
	h, ok := handlers[req.Header.MsgType]
	if !ok {
		s.log.Printf("%s: unknown message type %q, ignored", r.name, req.Header.MsgType)
		if r == s.control {
			msg := fmt.Sprintf("unknown control message type %q", req.Header.MsgType)
			s.replyError(r, req, &Error{Name: "UnknownMessageType", Value: msg, Traceback: []string{msg}}, nil)
		}
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("%s: %s handler panicked: %v\n%s", r.name, req.Header.MsgType, p, debug.Stack())
			s.replyError(r, req, &Error{Name: "KernelError", Value: fmt.Sprint(p),
				Traceback: []string{fmt.Sprintf("internal error in the kernel: %v", p)}}, nil)
			err = nil
		}
	}()
	return h(s, ctx, r, req)
}

// errorFields returns the ename, evalue and traceback of e, as error
// replies and error messages carry them; the traceback is never null.
func errorFields(e *Error) map[string]any {
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	return map[string]any{"ename": e.Name, "evalue": e.Value, "traceback": tb}
}

// replyError sends the reply to req with status "error", the fields of e,
// and the reply type's own fields in extra. Every error reply goes
// through it.
func (s *Server) replyError(r *router, req *wire.Message, e *Error, extra map[string]any) {
	c := errorFields(e)
	for k, v := range extra {
		c[k] = v
	}
	c["status"] = "error"
	s.reply(r, req, c)
}

// decode unmarshals req's content into v, replying with an error when it
// does not fit.
func (s *Server) decode(r *router, req *wire.Message, v any) bool {
	if err := json.Unmarshal(req.Content, v); err != nil {
		s.log.Printf("%s: %s: bad content: %v", r.name, req.Header.MsgType, err)
		s.replyError(r, req, &Error{Name: "BadRequest", Value: err.Error(),
			Traceback: []string{fmt.Sprintf("malformed %s content: %v", req.Header.MsgType, err)}}, nil)
		return false
	}
	return true
}

func (s *Server) kernelInfo(ctx context.Context, r *router, req *wire.Message) error {
	info := s.interp.Info()
	links := info.HelpLinks
	if links == nil {
		links = []HelpLink{}
	}
	content := map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         info.Implementation,
		"implementation_version": info.ImplementationVersion,
		"banner":                 info.Banner,
		"help_links":             links,
		"language_info":          info.Language,
	}
	s.addDebuggerInfo(content)
	s.reply(r, req, content)
	s.mu.Lock()
	first := !s.welcomed
	s.welcomed = true
	s.mu.Unlock()
	if first {
		go s.welcomeLateSubscriber(ctx, req)
	}
	return nil
}

// welcomeLateSubscriber repeats the idle status of the first kernel_info
// once a subscriber is connected. On many starts the busy/idle around it
// leaves before any client has subscribed, and zmq4 gives no subscription
// events; clients waiting for an IOPub message would then hang.
func (s *Server) welcomeLateSubscriber(ctx context.Context, req *wire.Message) {
	t, ok := s.iopub.(interface{ Topics() []string })
	if !ok {
		return
	}
	if hasSubscriber(t.Topics()) {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
		if hasSubscriber(t.Topics()) {
			s.status(req, "idle")
			return
		}
	}
}

// hasSubscriber tells whether topics, those of the IOPub socket, include
// one of a client's: the kernel's own loopback subscriber does not count.
func hasSubscriber(topics []string) bool {
	for _, t := range topics {
		if t != drainTopic && t != ackTopic {
			return true
		}
	}
	return false
}

type executeContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

func (s *Server) execute(ctx context.Context, r *router, req *wire.Message) error {
	var c executeContent
	if !s.decode(r, req, &c) {
		return nil
	}
	store := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	stopOnError := c.StopOnError == nil || *c.StopOnError

	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if store {
		s.count++
		s.history = append(s.history, historyEntry{line: s.count, input: c.Code})
	}
	count := s.count
	s.cancelCell = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancelCell = nil
		s.mu.Unlock()
	}()

	if !c.Silent {
		s.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": count})
	}
	// Let the IOPub writers send busy and execute_input before the cell
	// starts: on the kernel's one P (cmd/gokernel) they would otherwise run
	// only once the cell waits, after its request has gone to the worker,
	// and a client reads the four messages of a cell one after the other,
	// so the sooner it has the first, the sooner it has the last.
	runtime.Gosched()
	out := s.newOutput(req, c.AllowStdin)
	res := s.runCell(cellCtx, &ExecuteRequest{
		Code: c.Code, Count: count, Silent: c.Silent, StoreHistory: store,
		AllowStdin: c.AllowStdin, UserExpressions: c.UserExpressions,
	}, out)
	out.Flush()

	if res.Err != nil {
		s.publish(req, "error", errorFields(res.Err))
		s.replyError(r, req, res.Err, map[string]any{
			"execution_count": count, "user_expressions": map[string]any{}, "payload": []any{},
		})
		if stopOnError {
			return errAbortQueue
		}
		return nil
	}
	if res.Value != nil && !c.Silent {
		s.publish(req, "execute_result", map[string]any{"execution_count": count, "data": res.Value, "metadata": map[string]any{}})
	}
	payload := res.Payload
	if payload == nil {
		payload = []map[string]any{}
	}
	s.reply(r, req, map[string]any{
		"status": "ok", "execution_count": count,
		"payload": payload, "user_expressions": userExpressions(res.UserExpressions),
	})
	return nil
}

// runCell calls Execute, turning a panic in the interpreter into an error.
func (s *Server) runCell(ctx context.Context, req *ExecuteRequest, out Output) (res *ExecuteResult) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Printf("interpreter panicked: %v\n%s", p, debug.Stack())
			res = &ExecuteResult{Err: &Error{Name: "KernelError", Value: fmt.Sprint(p),
				Traceback: []string{fmt.Sprintf("internal error in the interpreter: %v", p)}}}
		}
	}()
	res = s.interp.Execute(ctx, req, out)
	if res == nil {
		res = &ExecuteResult{}
	}
	return res
}

func userExpressions(in map[string]ExpressionResult) map[string]any {
	out := map[string]any{}
	for name, r := range in {
		if r.Err != nil {
			c := errorFields(r.Err)
			c["status"] = "error"
			out[name] = c
			continue
		}
		data := r.Value
		if data == nil {
			data = Bundle{}
		}
		out[name] = map[string]any{"status": "ok", "data": data, "metadata": map[string]any{}}
	}
	return out
}

// byteOffset converts a cursor in code points to a byte offset in code.
func byteOffset(code string, cursor int) int {
	if cursor < 0 {
		return len(code)
	}
	i := 0
	for off := range code {
		if i == cursor {
			return off
		}
		i++
	}
	return len(code)
}

// runeOffset converts a byte offset in code to a cursor in code points.
func runeOffset(code string, off int) int {
	off = max(0, min(off, len(code)))
	return utf8.RuneCountInString(code[:off])
}

func (s *Server) complete(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		Code      string `json:"code"`
		CursorPos *int   `json:"cursor_pos"`
	}
	if !s.decode(r, req, &c) {
		return nil
	}
	cursor := len(c.Code)
	if c.CursorPos != nil {
		cursor = byteOffset(c.Code, *c.CursorPos)
	}
	comp := s.interp.Complete(ctx, c.Code, cursor)
	matches := comp.Matches
	if matches == nil {
		matches = []string{}
		comp.Start, comp.End = cursor, cursor
	}
	md := comp.Metadata
	if md == nil {
		md = map[string]any{}
	}
	s.reply(r, req, map[string]any{
		"status": "ok", "matches": matches,
		"cursor_start": runeOffset(c.Code, comp.Start), "cursor_end": runeOffset(c.Code, comp.End),
		"metadata": md,
	})
	return nil
}

func (s *Server) inspect(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		Code        string `json:"code"`
		CursorPos   *int   `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	if !s.decode(r, req, &c) {
		return nil
	}
	cursor := len(c.Code)
	if c.CursorPos != nil {
		cursor = byteOffset(c.Code, *c.CursorPos)
	}
	in := s.interp.Inspect(ctx, c.Code, cursor, c.DetailLevel)
	data := in.Data
	if data == nil || !in.Found {
		data = Bundle{}
	}
	s.reply(r, req, map[string]any{"status": "ok", "found": in.Found, "data": data, "metadata": map[string]any{}})
	return nil
}

func (s *Server) isComplete(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		Code string `json:"code"`
	}
	if !s.decode(r, req, &c) {
		return nil
	}
	res := s.interp.IsComplete(ctx, c.Code)
	content := map[string]any{"status": res.Status}
	if res.Status == "incomplete" {
		content["indent"] = res.Indent
	}
	s.reply(r, req, content)
	return nil
}

// historySession is the session number of this kernel's own history. The
// history lives only as long as the kernel process.
const historySession = 1

func (s *Server) historyRequest(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		Output         bool   `json:"output"`
		Raw            bool   `json:"raw"`
		HistAccessType string `json:"hist_access_type"`
		Session        int    `json:"session"`
		Start          int    `json:"start"`
		Stop           *int   `json:"stop"`
		N              *int   `json:"n"`
		Pattern        string `json:"pattern"`
		Unique         bool   `json:"unique"`
	}
	if !s.decode(r, req, &c) {
		return nil
	}
	s.mu.Lock()
	hist := append([]historyEntry(nil), s.history...)
	s.mu.Unlock()

	var picked []historyEntry
	switch c.HistAccessType {
	case "tail", "":
		n := len(hist)
		if c.N != nil {
			n = min(max(*c.N, 0), len(hist))
		}
		picked = hist[len(hist)-n:]
	case "range":
		if c.Session != 0 && c.Session != historySession && c.Session != -1 {
			break // only this session's history exists
		}
		start, stop := c.Start, len(hist)+1
		if c.Stop != nil {
			stop = *c.Stop
		}
		for _, h := range hist {
			if h.line >= start && h.line < stop {
				picked = append(picked, h)
			}
		}
	case "search":
		re, err := globRegexp(c.Pattern)
		if err != nil {
			s.replyError(r, req, &Error{Name: "BadPattern", Value: err.Error(), Traceback: []string{err.Error()}},
				map[string]any{"history": []any{}})
			return nil
		}
		seen := map[string]bool{}
		for i := len(hist) - 1; i >= 0; i-- {
			h := hist[i]
			if !re.MatchString(h.input) || (c.Unique && seen[h.input]) {
				continue
			}
			seen[h.input] = true
			picked = append([]historyEntry{h}, picked...)
		}
		if c.N != nil && *c.N >= 0 && len(picked) > *c.N {
			picked = picked[len(picked)-*c.N:]
		}
	}
	out := make([]any, 0, len(picked))
	for _, h := range picked {
		if c.Output {
			out = append(out, []any{historySession, h.line, []any{h.input, nil}})
		} else {
			out = append(out, []any{historySession, h.line, h.input})
		}
	}
	s.reply(r, req, map[string]any{"status": "ok", "history": out})
	return nil
}

// globRegexp turns a history search pattern, a glob with * and ?, into a
// regexp that matches a whole input.
func globRegexp(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		pattern = "*"
	}
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func (s *Server) commInfo(ctx context.Context, r *router, req *wire.Message) error {
	s.reply(r, req, map[string]any{"status": "ok", "comms": map[string]any{}})
	return nil
}

// commOpen closes every comm at once: this kernel has no comm targets.
func (s *Server) commOpen(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		CommID     string `json:"comm_id"`
		TargetName string `json:"target_name"`
	}
	if err := json.Unmarshal(req.Content, &c); err == nil && c.CommID != "" {
		s.log.Printf("comm_open for unknown target %q: closing it", c.TargetName)
		s.publish(req, "comm_close", map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
	}
	return nil
}

func (s *Server) ignore(ctx context.Context, r *router, req *wire.Message) error {
	s.log.Printf("%s: %s ignored: this kernel has no comms", r.name, req.Header.MsgType)
	return nil
}

func (s *Server) interruptRequest(ctx context.Context, r *router, req *wire.Message) error {
	s.interrupt()
	s.reply(r, req, map[string]any{"status": "ok"})
	return nil
}

// usageRequest answers usage_request with the CPU and memory of the
// kernel's process tree; see usageMeter.
func (s *Server) usageRequest(ctx context.Context, r *router, req *wire.Message) error {
	s.reply(r, req, s.usage.usage())
	return nil
}

func (s *Server) shutdownRequest(ctx context.Context, r *router, req *wire.Message) error {
	var c struct {
		Restart bool `json:"restart"`
	}
	_ = json.Unmarshal(req.Content, &c)
	s.reply(r, req, map[string]any{"status": "ok", "restart": c.Restart})
	s.mu.Lock()
	if s.shutdownBy == nil {
		s.shutdownBy, s.restart = req, c.Restart
	}
	s.mu.Unlock()
	return errShutdown
}
