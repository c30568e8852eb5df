package interp

import (
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// A markerReader splits one of the worker's output pipes into text and
// marker lines. It holds back a marker that is split across reads, and an
// incomplete UTF-8 character, so that each text piece it hands on is whole.
type markerReader struct {
	r      io.Reader
	prefix []byte
	text   func(s string)                // output text, in order
	marker func(kind string, seq uint64) // a marker line
}

func newMarkerReader(r io.Reader, token string, text func(string), marker func(string, uint64)) *markerReader {
	return &markerReader{r: r, prefix: []byte(proto.MarkerPrefix(token)), text: text, marker: marker}
}

// run reads until end of file. It returns what was left unsent, which is
// only ever an incomplete character or marker at the very end.
func (m *markerReader) run() {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 32<<10)
	for {
		n, err := m.r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		buf = m.consume(buf, err != nil)
		if err != nil {
			if len(buf) > 0 {
				m.text(string(buf))
			}
			return
		}
	}
}

// consume handles every complete piece of buf and returns the rest.
func (m *markerReader) consume(buf []byte, eof bool) []byte {
	for len(buf) > 0 {
		i := bytes.Index(buf, m.prefix)
		if i < 0 {
			keep := partialSuffix(buf, m.prefix)
			send := buf[:len(buf)-keep]
			cut := len(send)
			if !eof {
				cut = wholeRunes(send)
			}
			if cut > 0 {
				m.text(string(send[:cut]))
			}
			return append(buf[:0], buf[cut:]...)
		}
		if i > 0 {
			m.text(string(buf[:i]))
			buf = append(buf[:0], buf[i:]...)
			continue
		}
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 {
			if len(buf) > len(m.prefix)+64 { // not a marker after all
				m.text(string(buf[:1]))
				buf = append(buf[:0], buf[1:]...)
				continue
			}
			return buf
		}
		line := string(buf[len(m.prefix):nl])
		kind, num, ok := cutSpace(line)
		seq, err := strconv.ParseUint(num, 10, 64)
		if ok && err == nil {
			m.marker(kind, seq)
		} else {
			m.text(string(buf[:nl+1]))
		}
		buf = append(buf[:0], buf[nl+1:]...)
	}
	return buf
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// partialSuffix is the length of the longest suffix of buf that is a
// proper prefix of marker.
func partialSuffix(buf, marker []byte) int {
	for k := min(len(buf), len(marker)-1); k > 0; k-- {
		if bytes.HasSuffix(buf, marker[:k]) {
			return k
		}
	}
	return 0
}

// wholeRunes is the length of b without an incomplete UTF-8 character at
// its end.
func wholeRunes(b []byte) int {
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return len(b) // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return len(b)
			}
			return len(b) - k
		}
	}
	return len(b)
}
