package kernel

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// sink records what a publisher sends.
type sink struct {
	mu   sync.Mutex
	msgs []string // "type:stream:text" or "type"
}

func (s *sink) send(msgType string, parent json.RawMessage, content any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := content.(map[string]any); ok && msgType == "stream" {
		s.msgs = append(s.msgs, msgType+":"+c["name"].(string)+":"+c["text"].(string))
		return nil
	}
	s.msgs = append(s.msgs, msgType)
	return nil
}

func TestPublisherCoalescesAndKeepsOrder(t *testing.T) {
	s := &sink{}
	p := newPublisher(s.send)
	parent := json.RawMessage(`{"msg_id":"a"}`)
	for i := 0; i < 10000; i++ {
		p.stream(parent, "stdout", "line\n")
	}
	p.publish("display_data", parent, map[string]any{})
	p.stream(parent, "stdout", "after\n")
	p.stream(parent, "stderr", "err\n")
	p.close()

	var stdout strings.Builder
	var order []string
	for _, m := range s.msgs {
		parts := strings.SplitN(m, ":", 3)
		if len(parts) == 3 && parts[1] == "stdout" {
			stdout.WriteString(parts[2])
		}
		order = append(order, parts[0]+map[bool]string{true: ":" + strings.Join(parts[1:2], ""), false: ""}[len(parts) == 3])
	}
	if want := strings.Repeat("line\n", 10000) + "after\n"; stdout.String() != want {
		t.Errorf("stdout text changed: %d bytes, want %d", stdout.Len(), len(want))
	}
	if len(s.msgs) > 6 {
		t.Errorf("10000 lines took %d messages, want a few", len(s.msgs))
	}
	last := order[len(order)-3:]
	if last[0] != "display_data" || last[1] != "stream:stdout" || last[2] != "stream:stderr" {
		t.Errorf("order %v", order)
	}
}

func TestPublisherBoundsPendingText(t *testing.T) {
	s := &sink{}
	p := newPublisher(s.send)
	p.mu.Lock()
	p.rate, p.burst, p.tokens, p.maxPending = 4<<20, 1<<20, 1<<20, 2<<20
	p.mu.Unlock()
	parent := json.RawMessage(`{}`)
	chunk := strings.Repeat("é", 1<<19) // 1 MiB of two-byte characters
	for i := 0; i < 12; i++ {
		p.stream(parent, "stdout", chunk)
	}
	p.publish("status", parent, map[string]any{})
	p.close()
	total := 0
	dropped := false
	for _, m := range s.msgs {
		if strings.HasPrefix(m, "stream") {
			total += len(m)
			if strings.Contains(m, "bytes dropped") {
				dropped = true
			}
			if strings.ContainsRune(m, '\uFFFD') {
				t.Fatal("a character was split")
			}
		}
	}
	if s.msgs[len(s.msgs)-1] != "status" {
		t.Errorf("the status message was lost: last is %q", s.msgs[len(s.msgs)-1])
	}
	// 1 MiB of burst, 2 MiB held, and what the rate let through meanwhile.
	if total > 6<<20 {
		t.Errorf("sent %d bytes of stream text, more than the bound", total)
	}
	if !dropped {
		t.Error("no message says that bytes were dropped")
	}
}
