package kernel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSocket stands in for the PUB socket and its slowest subscriber: it
// keeps what the publisher sends, and a reader takes it off at a given
// rate, or not at all while it is stalled, acknowledging marked messages
// as the loopback subscriber does.
type fakeSocket struct {
	p *publisher

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []fakeMsg // sent, not yet read
	read    []fakeMsg // read, in order
	queued  int       // bytes in queue
	peak    int       // most bytes ever in queue
	stalled bool
	rate    float64 // bytes per second the reader takes; 0 is at once
	closed  bool
}

type fakeMsg struct {
	topic, msgType, text string
	size                 int
}

func newFakeSocket(rate float64, stalled bool) *fakeSocket {
	s := &fakeSocket{rate: rate, stalled: stalled}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *fakeSocket) send(topic, msgType string, parent json.RawMessage, content any) (int, error) {
	m := fakeMsg{topic: topic, msgType: msgType}
	if c, ok := content.(map[string]any); ok && msgType == "stream" {
		m.text = c["name"].(string) + ":" + c["text"].(string)
	}
	m.size = len(m.text) + 100
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, m)
	s.queued += m.size
	s.peak = max(s.peak, s.queued)
	s.cond.Broadcast()
	return m.size, nil
}

// readLoop plays the subscribers until close.
func (s *fakeSocket) readLoop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for (len(s.queue) == 0 || s.stalled) && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			return
		}
		m := s.queue[0]
		s.queue = s.queue[1:]
		s.queued -= m.size
		s.read = append(s.read, m)
		s.mu.Unlock()
		if s.rate > 0 {
			time.Sleep(time.Duration(float64(m.size) / s.rate * float64(time.Second)))
		}
		if n, ok := strings.CutPrefix(m.topic, ackTopic); ok {
			sent, _ := strconv.ParseInt(n, 10, 64)
			s.p.ack(sent)
		}
		s.mu.Lock()
	}
}

func (s *fakeSocket) setStalled(v bool) {
	s.mu.Lock()
	s.stalled = v
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *fakeSocket) close() {
	s.mu.Lock()
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
}

// startFake starts a paced publisher with small limits on a fakeSocket.
func startFake(t *testing.T, rate float64, stalled bool) (*publisher, *fakeSocket) {
	t.Helper()
	s := newFakeSocket(rate, stalled)
	p := newPublisher(s.send, true)
	p.mu.Lock()
	p.maxPending, p.maxLag, p.markEvery, p.stallAfter = 256<<10, 512<<10, 64<<10, time.Second
	p.mu.Unlock()
	s.p = p
	go s.readLoop()
	t.Cleanup(s.close)
	return p, s
}

// waitStatus waits until the reader has taken a status message and
// returns what it read.
func waitStatus(t *testing.T, s *fakeSocket) []fakeMsg {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		read := s.read
		s.mu.Unlock()
		for _, m := range read {
			if m.msgType == "status" {
				return read
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no status message after 10 s; %d messages read", len(read))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var dropNote = regexp.MustCompile(`\[… (\d+) bytes dropped[^\]]*\]\n`)

// account returns the stdout text that arrived, notes removed, and the
// bytes the notes say were dropped.
func account(t *testing.T, msgs []fakeMsg) (text string, dropped int) {
	t.Helper()
	var b strings.Builder
	for _, m := range msgs {
		s, ok := strings.CutPrefix(m.text, "stdout:")
		if !ok {
			continue
		}
		for _, n := range dropNote.FindAllStringSubmatch(s, -1) {
			k, _ := strconv.Atoi(n[1])
			dropped += k
		}
		b.WriteString(dropNote.ReplaceAllString(s, ""))
	}
	return b.String(), dropped
}

func TestPublisherCoalescesAndKeepsOrder(t *testing.T) {
	for _, paced := range []bool{false, true} {
		t.Run(fmt.Sprintf("paced=%v", paced), func(t *testing.T) {
			s := newFakeSocket(0, false)
			p := newPublisher(s.send, paced)
			s.p = p
			go s.readLoop()
			defer s.close()
			parent := json.RawMessage(`{"msg_id":"a"}`)
			for range 10000 {
				p.stream(parent, "stdout", "line\n")
			}
			p.publish("display_data", parent, map[string]any{})
			p.stream(parent, "stdout", "after\n")
			p.stream(parent, "stderr", "err\n")
			p.publish("status", parent, map[string]any{})
			msgs := waitStatus(t, s)
			p.close()
			msgs = msgs[:len(msgs)-1]

			text, dropped := account(t, msgs)
			if want := strings.Repeat("line\n", 10000) + "after\n"; text != want || dropped != 0 {
				t.Errorf("stdout text changed: %d bytes (%d dropped), want %d", len(text), dropped, len(want))
			}
			if len(msgs) > 20 { // flushDelay decides, under load
				t.Errorf("10000 lines took %d messages, want a few", len(msgs))
			}
			var order []string
			for _, m := range msgs {
				order = append(order, m.msgType+":"+strings.SplitN(m.text, ":", 2)[0])
			}
			last := order[len(order)-3:]
			if last[0] != "display_data:" || last[1] != "stream:stdout" || last[2] != "stream:stderr" {
				t.Errorf("order %v", order)
			}
		})
	}
}

// TestPublisherBackpressure checks the promises of publish.go with a fake
// socket: a reader that keeps reading, however slowly, gets every byte,
// because the writer waits; a stalled one costs bounded memory, and the
// bytes dropped for it are counted in notes; status messages always arrive.
func TestPublisherBackpressure(t *testing.T) {
	const total = 4 << 20
	chunk := strings.Repeat("é", 8<<10) // 16 KiB of two-byte characters
	for _, c := range []struct {
		name        string
		rate        float64 // of the reader, bytes per second
		stallFor    time.Duration
		wantDropped bool
	}{
		{"fast reader", 0, 0, false},
		{"slow reader", 8 << 20, 0, false},
		{"stalled reader", 0, 2500 * time.Millisecond, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, s := startFake(t, c.rate, c.stallFor > 0)
			parent := json.RawMessage(`{}`)
			var maxPendingSeen, maxQueueSeen int
			go func() {
				time.Sleep(c.stallFor)
				s.setStalled(false)
			}()
			for range total / len(chunk) {
				p.stream(parent, "stdout", chunk)
				p.mu.Lock()
				maxPendingSeen = max(maxPendingSeen, p.pending)
				maxQueueSeen = max(maxQueueSeen, len(p.queue))
				p.mu.Unlock()
			}
			p.publish("status", parent, map[string]any{})
			msgs := waitStatus(t, s)
			p.close()

			text, dropped := account(t, msgs)
			if len(text)+dropped != total {
				t.Errorf("%d bytes arrived and notes count %d dropped: %d bytes unaccounted for", len(text), dropped, total-len(text)-dropped)
			}
			if strings.ContainsRune(text, '\uFFFD') {
				t.Error("a character was split")
			}
			if got := dropped > 0; got != c.wantDropped {
				t.Errorf("dropped %d bytes; want dropping %v", dropped, c.wantDropped)
			}
			if last := msgs[len(msgs)-1]; last.msgType != "status" {
				t.Errorf("the status message was lost: last is %q", last.msgType)
			}
			// The buffer holds maxPending plus one call's text; the socket,
			// maxLag plus a message.
			if limit := 256<<10 + len(chunk); maxPendingSeen > limit {
				t.Errorf("the buffer held %d bytes, more than %d", maxPendingSeen, limit)
			}
			if limit := 512<<10 + maxChunk + 2*len(chunk) + 100; s.peak > limit {
				t.Errorf("the socket queued %d bytes, more than %d", s.peak, limit)
			}
			// Emptied items must not pile up, each holding its array.
			if limit := (256<<10+len(chunk))/len(chunk) + 2; maxQueueSeen > limit {
				t.Errorf("the queue held %d items, more than %d", maxQueueSeen, limit)
			}
		})
	}
}

func TestPublisherCloseDoesNotWaitForStalledReader(t *testing.T) {
	p, _ := startFake(t, 0, true)
	parent := json.RawMessage(`{}`)
	for range 64 {
		p.stream(parent, "stdout", strings.Repeat("x", 32<<10))
	}
	start := time.Now()
	p.close()
	if took := time.Since(start); took > closeWait+time.Second {
		t.Errorf("close took %v with a stalled reader", took)
	}
}
