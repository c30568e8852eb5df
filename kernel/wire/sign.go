package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"sync"
)

// Delimiter separates the routing identities from the message proper.
const Delimiter = "<IDS|MSG>"

// Errors returned by [Signer.Decode], wrapped with details. Test for them
// with errors.Is.
var (
	// ErrNoDelimiter means no frame was "<IDS|MSG>".
	ErrNoDelimiter = errors.New("no <IDS|MSG> delimiter")
	// ErrBadSignature means the HMAC did not match.
	ErrBadSignature = errors.New("bad signature")
	// ErrMalformed means too few frames or a part that is not the
	// expected JSON object.
	ErrMalformed = errors.New("malformed message")
)

// schemes maps the supported signature_scheme values to hash constructors.
var schemes = map[string]func() hash.Hash{
	"hmac-sha1":   sha1.New,
	"hmac-sha224": sha256.New224,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// A Signer signs and verifies messages with one key and scheme. It is safe
// for concurrent use.
type Signer struct {
	newHash func() hash.Hash
	key     []byte // nil: messages are unsigned
	// macs holds keyed HMACs for reuse: setting one up hashes the padded
	// key twice and allocates two hash states, more than signing a status
	// message takes; a reused one is Reset to its keyed state.
	macs sync.Pool
}

// NewSigner returns a Signer for a connection file's signature_scheme and
// key. The key is used as its bytes. With an empty key messages are
// unsigned: Encode sends an empty signature and Decode accepts any. An
// unsupported scheme is an error; an empty scheme is accepted only with an
// empty key.
func NewSigner(scheme, key string) (*Signer, error) {
	newHash, ok := schemes[scheme]
	switch {
	case scheme == "" && key == "":
		return &Signer{}, nil
	case scheme == "":
		return nil, fmt.Errorf("missing signature_scheme for a non-empty key")
	case !ok:
		return nil, fmt.Errorf("unsupported signature_scheme %q (want hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512)", scheme)
	}
	s := &Signer{newHash: newHash}
	if key != "" {
		s.key = []byte(key)
	}
	s.macs.New = func() any { return hmac.New(s.newHash, s.key) }
	return s, nil
}

// Signed reports whether s signs messages, that is whether its key is not
// empty.
func (s *Signer) Signed() bool { return s.key != nil }

// sign returns the lowercase hex HMAC of parts, or nil when unsigned.
func (s *Signer) sign(parts ...[]byte) []byte {
	if s.key == nil {
		return nil
	}
	mac := s.macs.Get().(hash.Hash)
	defer s.macs.Put(mac)
	mac.Reset()
	for _, p := range parts {
		mac.Write(p)
	}
	var buf [sha512.Size]byte
	sum := mac.Sum(buf[:0])
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

var emptyObject = []byte("{}")

func orEmpty(b json.RawMessage) []byte {
	if len(b) == 0 {
		return emptyObject
	}
	return b
}

// Encode returns the frames of m, signed: m.Identities, the delimiter, the
// signature, the header (marshalled from m.Header), parent, metadata,
// content, then m.Buffers.
func (s *Signer) Encode(m *Message) [][]byte {
	header, err := json.Marshal(m.Header)
	if err != nil {
		// Header holds only strings; Marshal cannot fail.
		panic("wire: marshal header: " + err.Error())
	}
	parent, metadata, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(Delimiter), s.sign(header, parent, metadata, content))
	frames = append(frames, header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames
}

// Decode parses frames received from a socket and verifies their
// signature over the exact bytes received. The frames after the delimiter
// must be the signature and the four JSON parts; any more are buffers. The
// header must be a JSON object with a string msg_type; parent, metadata
// and content must be JSON objects. The returned Message shares memory
// with frames.
//
// Errors wrap [ErrNoDelimiter], [ErrBadSignature] or [ErrMalformed].
// Decode never panics.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	delim := slices.IndexFunc(frames, func(f []byte) bool { return string(f) == Delimiter })
	if delim < 0 {
		return nil, fmt.Errorf("%w in %d frames", ErrNoDelimiter, len(frames))
	}
	rest := frames[delim+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("%w: %d frames after the delimiter, want at least 5 (signature, header, parent_header, metadata, content)", ErrMalformed, len(rest))
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if s.key != nil {
		want := s.sign(header, parent, metadata, content)
		if !hmac.Equal(want, sig) {
			return nil, fmt.Errorf("%w: hmac does not match the message", ErrBadSignature)
		}
	}

	h, err := decodeHeader(header)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		data []byte
	}{{"parent_header", parent}, {"metadata", metadata}, {"content", content}} {
		if !isObject(p.data) {
			return nil, fmt.Errorf("%w: %s is not a json object", ErrMalformed, p.name)
		}
	}
	m := &Message{
		Header:    h,
		RawHeader: header,
		Parent:    parent,
		Metadata:  metadata,
		Content:   content,
		Signature: sig,
	}
	if delim > 0 {
		m.Identities = slices.Clone(frames[:delim])
	}
	if len(rest) > 5 {
		m.Buffers = slices.Clone(rest[5:])
	}
	return m, nil
}

// decodeHeader checks that data is a JSON object with a string msg_type
// and decodes it, in one pass.
func decodeHeader(data []byte) (Header, error) {
	var h struct {
		Header
		MsgType *json.RawMessage `json:"msg_type"` // hides Header's, to tell a string
	}
	err := json.Unmarshal(data, &h)
	var syntax *json.SyntaxError
	if !opensObject(data) || errors.As(err, &syntax) {
		return Header{}, fmt.Errorf("%w: header is not a json object", ErrMalformed)
	}
	if h.MsgType == nil || len(*h.MsgType) == 0 || (*h.MsgType)[0] != '"' {
		return Header{}, fmt.Errorf("%w: header has no string msg_type", ErrMalformed)
	}
	if err == nil {
		err = json.Unmarshal(*h.MsgType, &h.Header.MsgType)
	}
	if err != nil {
		return Header{}, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	return h.Header, nil
}

// isObject reports whether data is one valid JSON object.
func isObject(data []byte) bool { return opensObject(data) && json.Valid(data) }

// opensObject reports whether data's first character, after white space,
// is the one that opens a JSON object.
func opensObject(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}
