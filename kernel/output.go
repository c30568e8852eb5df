package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/beacceaf/gokernel/kernel/wire"
)

// ErrNoStdin is returned by Output.Input when the request did not allow
// stdin, as nbconvert's requests do.
var ErrNoStdin = errors.New("kernel: this front end does not accept input (allow_stdin is false)")

// output is the Output of one execute_request. Everything it sends is
// parented to that request, even after the request has ended.
type output struct {
	s          *Server
	req        *wire.Message
	allowStdin bool
}

func (s *Server) newOutput(req *wire.Message, allowStdin bool) *output {
	return &output{s: s, req: req, allowStdin: allowStdin}
}

func (o *output) Stream(name, text string) {
	if name != "stdout" && name != "stderr" {
		name = "stdout"
	}
	o.s.pub.stream(o.req.RawHeader, name, text)
}

func (o *output) Display(b Bundle, metadata map[string]any, id string) {
	o.s.publish(o.req, "display_data", displayContent(b, metadata, id))
}

func (o *output) Update(b Bundle, metadata map[string]any, id string) {
	o.s.publish(o.req, "update_display_data", displayContent(b, metadata, id))
}

func displayContent(b Bundle, metadata map[string]any, id string) map[string]any {
	if b == nil {
		b = Bundle{}
	}
	if metadata == nil {
		metadata = map[string]any{}
	}
	c := map[string]any{"data": b, "metadata": metadata, "transient": map[string]any{}}
	if id != "" {
		c["transient"] = map[string]any{"display_id": id}
	}
	return c
}

func (o *output) ClearOutput(wait bool) {
	o.s.publish(o.req, "clear_output", map[string]any{"wait": wait})
}

func (o *output) Flush() { o.s.pub.flush() }

func (o *output) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", ErrNoStdin
	}
	o.s.inputMu.Lock()
	defer o.s.inputMu.Unlock()
	for drained := false; !drained; { // forget replies to earlier prompts
		select {
		case <-o.s.stdinReplies:
		default:
			drained = true
		}
	}
	o.Flush() // the prompt's context goes out first
	o.s.send(o.s.stdin, o.req, "input_request", map[string]any{"prompt": prompt, "password": password})
	for {
		select {
		case m := <-o.s.stdinReplies:
			var c struct {
				Value  string `json:"value"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(m.Content, &c); err != nil {
				return "", fmt.Errorf("kernel: bad input_reply: %w", err)
			}
			if c.Status == "error" {
				return "", fmt.Errorf("kernel: the front end refused the input request")
			}
			return c.Value, nil
		case <-ctx.Done():
			return "", ctx.Err()
		case <-o.s.stop:
			return "", errors.New("kernel: shutting down")
		}
	}
}
