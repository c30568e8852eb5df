package kernel

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Stream coalescing and the IOPub memory bound.
//
// zmq4's PUB socket queues without limit and cannot tell us that a
// subscriber has fallen behind, and its high-water mark drops any message,
// status included. So the bound lives here: stream text is merged into
// messages of up to maxChunk bytes, flushed after flushDelay, and handed to
// the socket at most streamRate bytes per second (after a burst of
// streamBurst). Text that waits longer than that is held in a buffer of at
// most maxPending bytes, which drops its oldest bytes and says so in the
// stream. Every other message is sent in order and never dropped.
const (
	flushDelay  = 5 * time.Millisecond
	maxChunk    = 64 << 10
	maxPending  = 8 << 20
	streamRate  = 16 << 20
	streamBurst = 32 << 20
)

// pubItem is one message waiting for the IOPub socket. A stream item is
// still open for appending while it is the last item in the queue.
type pubItem struct {
	msgType string
	parent  json.RawMessage
	content any

	stream  string // "stdout" or "stderr" for stream items
	text    []byte
	dropped int // bytes dropped from the front of text
	born    time.Time
}

// publisher orders and sends IOPub messages. It is safe for concurrent use.
type publisher struct {
	send func(msgType string, parent json.RawMessage, content any) error

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*pubItem
	pending int // stream bytes in queue
	flushed bool
	closed  bool
	done    chan struct{}

	tokens float64
	last   time.Time

	// The limits, normally the constants above; tests make them small.
	rate, burst float64
	maxPending  int
}

func newPublisher(send func(string, json.RawMessage, any) error) *publisher {
	p := &publisher{send: send, done: make(chan struct{}), tokens: streamBurst, last: time.Now(),
		rate: streamRate, burst: streamBurst, maxPending: maxPending}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

// publish queues a message, after any stream text already queued.
func (p *publisher) publish(msgType string, parent json.RawMessage, content any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.queue = append(p.queue, &pubItem{msgType: msgType, parent: parent, content: content})
	p.cond.Broadcast()
}

// stream appends text to the named stream of parent.
func (p *publisher) stream(parent json.RawMessage, name, text string) {
	if text == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if n := len(p.queue); n > 0 {
		last := p.queue[n-1]
		if last.stream == name && string(last.parent) == string(parent) && len(last.text) < maxChunk {
			last.text = append(last.text, text...)
			p.pending += len(text)
			p.trim()
			p.cond.Broadcast()
			return
		}
	}
	p.queue = append(p.queue, &pubItem{msgType: "stream", parent: parent, stream: name, text: []byte(text), born: time.Now()})
	p.pending += len(text)
	p.trim()
	p.cond.Broadcast()
}

// trim drops the oldest stream bytes while more than maxPending wait.
func (p *publisher) trim() {
	for _, it := range p.queue {
		if p.pending <= p.maxPending {
			return
		}
		if it.stream == "" || len(it.text) == 0 {
			continue
		}
		n := min(len(it.text), p.pending-p.maxPending)
		for n < len(it.text) && it.text[n]&0xC0 == 0x80 {
			n++ // never split a UTF-8 character
		}
		it.text = it.text[n:]
		it.dropped += n
		p.pending -= n
	}
}

// flush makes queued stream text eligible to be sent now and waits until
// everything queued so far has been handed to the socket.
func (p *publisher) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushed = true
	p.cond.Broadcast()
	for len(p.queue) > 0 && !p.closed {
		p.cond.Wait()
	}
}

// close sends what is queued, then stops the sending goroutine.
func (p *publisher) close() {
	p.flush()
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	<-p.done
}

func (p *publisher) run() {
	defer close(p.done)
	timer := time.AfterFunc(time.Hour, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer timer.Stop()
	p.mu.Lock()
	for {
		for len(p.queue) == 0 && !p.closed {
			p.flushed = false
			p.cond.Broadcast()
			p.cond.Wait()
		}
		if len(p.queue) == 0 && p.closed {
			p.mu.Unlock()
			return
		}
		it := p.queue[0]
		if it.stream != "" {
			// An open stream item waits for more text, unless it is full,
			// old enough, followed by another item, or flushed.
			age := time.Since(it.born)
			if len(p.queue) == 1 && len(it.text) < maxChunk && age < flushDelay && !p.flushed && !p.closed {
				timer.Reset(flushDelay - age)
				p.cond.Wait()
				continue
			}
			if wait := p.take(len(it.text)); wait > 0 && !p.closed {
				timer.Reset(wait)
				p.cond.Wait()
				continue
			}
		}
		p.queue = p.queue[1:]
		if it.stream != "" {
			p.pending -= len(it.text)
		}
		p.mu.Unlock()
		p.sendItem(it)
		p.mu.Lock()
		p.cond.Broadcast()
	}
}

// take spends n stream bytes from the rate bucket, or says how long to wait.
func (p *publisher) take(n int) time.Duration {
	now := time.Now()
	p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	p.last = now
	if p.tokens >= float64(n) || float64(n) > p.burst {
		p.tokens -= float64(n)
		return 0
	}
	return time.Duration((float64(n) - p.tokens) / p.rate * float64(time.Second))
}

func (p *publisher) sendItem(it *pubItem) {
	content := it.content
	if it.stream != "" {
		text := string(it.text)
		if it.dropped > 0 {
			text = fmt.Sprintf("[… %d bytes dropped: the front end is reading output more slowly than the cell writes it]\n", it.dropped) + text
		}
		content = map[string]any{"name": it.stream, "text": text}
	}
	if err := p.send(it.msgType, it.parent, content); err != nil {
		// The socket is closed or broken; there is nobody to tell.
		_ = err
	}
}
