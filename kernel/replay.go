package kernel

import (
	"crypto/sha256"
	"sync"
)

// signatureHistory is how many recent signatures the kernel remembers, as
// many as jupyter_client's Session does.
const signatureHistory = 1 << 16

// A signatureLog remembers the signatures of the most recent signed
// messages, so that a message sent twice is run once: jupyter_client's
// Session refuses a repeated signature too. It keeps 16 bytes of a hash
// of each signature, about 2 MiB when full, and forgets the oldest first.
type signatureLog struct {
	mu   sync.Mutex
	seen map[[16]byte]struct{}
	ring [][16]byte // in arrival order, up to size; next is the oldest once full
	next int
	size int
}

func newSignatureLog(size int) *signatureLog {
	return &signatureLog{seen: map[[16]byte]struct{}{}, size: size}
}

// add records sig and tells whether it was new.
func (l *signatureLog) add(sig []byte) bool {
	sum := sha256.Sum256(sig)
	key := [16]byte(sum[:16])
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[key]; ok {
		return false
	}
	l.seen[key] = struct{}{}
	if len(l.ring) < l.size {
		l.ring = append(l.ring, key)
		return true
	}
	delete(l.seen, l.ring[l.next])
	l.ring[l.next] = key
	l.next = (l.next + 1) % l.size
	return true
}
