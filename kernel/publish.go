package kernel

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Stream coalescing, IOPub backpressure and the memory bound.
//
// zmq4's PUB socket never makes Send wait: it queues without limit and
// writes each message to every subscriber in turn from one goroutine, so a
// subscriber that stops reading stops all of them, and its high-water mark
// drops any message, status included. The kernel's own loopback subscriber
// is on that same path, so it serves as the acknowledgement: every so often
// a stream message goes out under the topic ackTopic followed by the number
// of bytes handed to the socket before it, and when the loopback subscriber
// receives it, everything before it has been written to every subscriber.
//
// The publisher merges stream text into messages of up to maxChunk bytes,
// flushed after flushDelay, and hands stream messages to the socket only
// while fewer than maxLag bytes are unacknowledged. Text that waits is held
// in a buffer of maxPending bytes; when it is full, the caller of stream
// waits, which slows down the writer of the output (the worker's pipe fills
// and the cell blocks in its write), so a front end that keeps reading gets
// everything. Only when no acknowledgement has come for stallAfter while
// output waits, that is, when some subscriber has stopped reading, does the
// buffer drop its oldest bytes instead, and the next message says how many.
// Every other message is sent in order and never dropped.
//
// stallAfter is long because a client's progress reaches the kernel in
// bursts: libzmq reads ahead up to 1,000 messages (64 MiB of ours) and
// reads again only once the client has taken half of them, which takes
// a client handling 50 messages a second (jupyter_client polling shell
// for 20 ms between IOPub messages) 10 s. closeWait bounds how long
// shutdown waits for subscribers that are behind.
const (
	flushDelay = 5 * time.Millisecond
	maxChunk   = 64 << 10
	maxPending = 8 << 20
	maxLag     = 16 << 20
	markEvery  = 256 << 10
	stallAfter = 10 * time.Second
	closeWait  = time.Second
)

// ackTopic prefixes the IOPub topic of stream messages that the loopback
// subscriber acknowledges. Clients subscribe to every topic and ignore it.
const ackTopic = "gokernel.ack."

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
	// send hands one message to the socket under topic and returns the
	// number of bytes it took on the wire.
	send func(topic, msgType string, parent json.RawMessage, content any) (int, error)

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*pubItem
	pending int  // stream bytes in queue
	sending bool // a message is being handed to the socket, by run or by publish
	flushed bool
	closed  bool
	closeBy time.Time // when close stops waiting for the subscribers
	done    chan struct{}

	paced        bool      // acknowledgements arrive; false sends without waiting
	sent         int64     // bytes handed to the socket
	acked        int64     // bytes known to be written to every subscriber
	lastMark     int64     // sent when the last acknowledged message went out
	blockedSince time.Time // when stream output began to wait for acks; zero if it does not

	// The limits, normally the constants above; tests make them small.
	maxPending, markEvery int
	maxLag                int64
	stallAfter            time.Duration
}

// newPublisher starts a publisher that sends through send. With paced,
// stream output waits for the acknowledgements that ack passes on;
// without, nothing does, and memory is not bounded.
func newPublisher(send func(topic, msgType string, parent json.RawMessage, content any) (int, error), paced bool) *publisher {
	p := &publisher{send: send, done: make(chan struct{}), paced: paced,
		maxPending: maxPending, markEvery: markEvery, maxLag: maxLag, stallAfter: stallAfter}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

// publish queues a message, after any stream text already queued. When
// nothing is queued or being sent, it sends the message itself, which
// spares a hand-off to the sending goroutine for each status,
// execute_input and reply-time message of a cell.
func (p *publisher) publish(msgType string, parent json.RawMessage, content any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	it := &pubItem{msgType: msgType, parent: parent, content: content}
	if len(p.queue) > 0 || p.sending {
		p.queue = append(p.queue, it)
		p.cond.Broadcast()
		return
	}
	p.sending = true
	p.mu.Unlock()
	n := p.sendItem(msgType, it)
	p.mu.Lock()
	p.sending = false
	p.sent += int64(n)
	p.cond.Broadcast()
}

// stream appends text to the named stream of parent. While the buffer is
// full and the subscribers keep reading, it waits.
func (p *publisher) stream(parent json.RawMessage, name, text string) {
	if text == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.pending >= p.maxPending && !p.closed && !p.stalled() {
		p.cond.Wait()
	}
	if p.closed {
		return
	}
	p.pending += len(text)
	if last := p.last(); last != nil && last.stream == name && string(last.parent) == string(parent) && len(last.text) < maxChunk {
		last.text = append(last.text, text...)
		// The sender waits for this item to fill or to age: wake it only
		// when it is full, not for every line appended.
		if len(last.text) >= maxChunk {
			p.cond.Broadcast()
		}
	} else {
		p.queue = append(p.queue, &pubItem{msgType: "stream", parent: parent, stream: name, text: []byte(text), born: time.Now()})
		p.cond.Broadcast()
	}
	if p.stalled() {
		p.trim()
		p.cond.Broadcast()
	}
}

// last returns the last queued item, or nil.
func (p *publisher) last() *pubItem {
	if len(p.queue) == 0 {
		return nil
	}
	return p.queue[len(p.queue)-1]
}

// stalled tells whether stream output has waited for an acknowledgement
// for stallAfter or longer.
func (p *publisher) stalled() bool {
	return !p.blockedSince.IsZero() && time.Since(p.blockedSince) >= p.stallAfter
}

// trim drops the oldest stream bytes while more than maxPending wait. It is
// called only when waiting could not help: when the subscribers are stalled.
// An item left with no text passes its count of dropped bytes on to the
// stream item after it, if that is of the same stream, so that the queue
// stays short however long the stall.
func (p *publisher) trim() {
	for _, it := range p.queue {
		if p.pending <= p.maxPending {
			break
		}
		if it.stream == "" || len(it.text) == 0 {
			continue
		}
		n := min(len(it.text), p.pending-p.maxPending)
		for n < len(it.text) && it.text[n]&0xC0 == 0x80 {
			n++ // never split a UTF-8 character
		}
		it.text = it.text[n:]
		if len(it.text) == 0 {
			it.text = nil // let the array go
		}
		it.dropped += n
		p.pending -= n
	}
	kept := p.queue[:0]
	for i, it := range p.queue {
		if it.stream != "" && len(it.text) == 0 && i+1 < len(p.queue) {
			if next := p.queue[i+1]; next.stream == it.stream && string(next.parent) == string(it.parent) {
				next.dropped += it.dropped
				continue
			}
		}
		kept = append(kept, it)
	}
	clear(p.queue[len(kept):])
	p.queue = kept
}

// ack records that the first n bytes handed to the socket have been written
// to every subscriber.
func (p *publisher) ack(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n <= p.acked {
		return
	}
	p.acked = n
	if !p.blockedSince.IsZero() {
		p.blockedSince = time.Now()
	}
	p.cond.Broadcast()
}

// flush makes queued stream text eligible to be sent now and waits until
// everything queued so far has been handed to the socket, or until the
// subscribers are found stalled.
func (p *publisher) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushed = true
	p.cond.Broadcast()
	for (len(p.queue) > 0 || p.sending) && !p.closed && !p.stalled() {
		p.cond.Wait()
	}
}

// close sends what is queued, then stops the sending goroutine. Stream
// text that still waits for the subscribers after closeWait is dropped.
func (p *publisher) close() {
	p.mu.Lock()
	p.closed = true
	p.closeBy = time.Now().Add(closeWait)
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
		for (len(p.queue) == 0 || p.sending) && !p.closed {
			if len(p.queue) == 0 {
				p.flushed = false
			}
			p.cond.Broadcast()
			p.cond.Wait()
		}
		if p.sending { // closed: let publish finish its message first
			p.cond.Wait()
			continue
		}
		if p.closed && len(p.queue) == 0 {
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
			// Without an acknowledgement on its way, waiting could not end:
			// this item will carry one.
			if p.paced && p.sent-p.acked >= p.maxLag && p.lastMark > p.acked {
				if p.closed && (p.stalled() || time.Now().After(p.closeBy)) {
					p.mu.Unlock()
					return
				}
				if p.blockedSince.IsZero() {
					p.blockedSince = time.Now()
				}
				// Wake the waiters when the stall would begin, or when
				// close stops waiting.
				left := p.stallAfter - time.Since(p.blockedSince)
				if p.closed {
					left = min(left, time.Until(p.closeBy))
				}
				if left > 0 {
					timer.Reset(left)
				} else {
					p.cond.Broadcast()
				}
				p.cond.Wait()
				continue
			}
			p.blockedSince = time.Time{}
		}
		p.queue = p.queue[1:]
		topic := it.msgType
		if it.stream != "" {
			p.pending -= len(it.text)
			if p.paced && (p.sent-p.lastMark >= int64(p.markEvery) || p.lastMark <= p.acked) {
				topic = ackTopic + strconv.FormatInt(p.sent, 10)
				p.lastMark = p.sent
			}
		}
		p.sending = true
		p.cond.Broadcast() // room in the buffer
		p.mu.Unlock()
		n := p.sendItem(topic, it)
		p.mu.Lock()
		p.sending = false
		p.sent += int64(n)
		p.cond.Broadcast()
	}
}

// sendItem sends it under topic and returns the bytes it took.
func (p *publisher) sendItem(topic string, it *pubItem) int {
	content := it.content
	if it.stream != "" {
		text := string(it.text)
		if it.dropped > 0 {
			text = fmt.Sprintf("[… %d bytes dropped: a front end stopped reading output for %v or more]\n", it.dropped, p.stallAfter) + text
		}
		content = map[string]any{"name": it.stream, "text": text}
	}
	n, err := p.send(topic, it.msgType, it.parent, content)
	if err != nil {
		// The socket is closed or broken; there is nobody to tell.
		return 0
	}
	return n
}
