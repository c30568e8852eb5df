package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden files in testdata were written by testdata/gen_vectors.py with
// jupyter_client's Session; see that script.

type signatureVector struct {
	Scheme    string   `json:"scheme"`
	Key       string   `json:"key"`
	Parts     []string `json:"parts"`
	Signature string   `json:"signature"`
}

type messageVector struct {
	Scheme      string   `json:"scheme"`
	Key         string   `json:"key"`
	Frames      []string `json:"frames"` // base64
	Identities  int      `json:"identities"`
	Buffers     int      `json:"buffers"`
	MsgID       string   `json:"msg_id"`
	MsgType     string   `json:"msg_type"`
	Session     string   `json:"session"`
	Username    string   `json:"username"`
	Version     string   `json:"version"`
	ParentMsgID string   `json:"parent_msg_id"`
	ContentText string   `json:"content_text"`
}

func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestSignatureVectors(t *testing.T) {
	var vectors []signatureVector
	readGolden(t, "signatures.json", &vectors)
	if len(vectors) < 50 {
		t.Fatalf("only %d vectors in signatures.json", len(vectors))
	}
	for i, v := range vectors {
		s, err := NewSigner(v.Scheme, v.Key)
		if err != nil {
			t.Fatalf("vector %d: NewSigner(%q): %v", i, v.Scheme, err)
		}
		m := &Message{
			Parent:   json.RawMessage(v.Parts[1]),
			Metadata: json.RawMessage(v.Parts[2]),
			Content:  json.RawMessage(v.Parts[3]),
		}
		// Sign the exact header bytes from the vector, as a receiver does.
		frames := s.Encode(m)
		frames[2] = []byte(v.Parts[0])
		got := s.sign(frames[2], frames[3], frames[4], frames[5])
		if string(got) != v.Signature {
			t.Errorf("vector %d (%s, key %q): signature %s, want %s", i, v.Scheme, v.Key, got, v.Signature)
		}
		if !strings.Contains(v.Parts[0], `"msg_type"`) {
			continue // a signing-only vector; Decode would reject the header
		}
		// Decode must accept the reference signature and reject a changed one.
		frames[1] = []byte(v.Signature)
		if _, err := s.Decode(frames); err != nil {
			t.Errorf("vector %d: Decode of reference-signed frames: %v", i, err)
		}
		if v.Key != "" {
			frames[5] = []byte(`{"tampered":1}`)
			if _, err := s.Decode(frames); !errors.Is(err, ErrBadSignature) {
				t.Errorf("vector %d: Decode of tampered frames: err = %v, want ErrBadSignature", i, err)
			}
		}
	}
}

func TestDecodeReferenceMessages(t *testing.T) {
	var vectors []messageVector
	readGolden(t, "messages.json", &vectors)
	for i, v := range vectors {
		frames := make([][]byte, len(v.Frames))
		for j, f := range v.Frames {
			b, err := base64.StdEncoding.DecodeString(f)
			if err != nil {
				t.Fatal(err)
			}
			frames[j] = b
		}
		s, err := NewSigner(v.Scheme, v.Key)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Decode(frames)
		if err != nil {
			t.Fatalf("vector %d: Decode: %v", i, err)
		}
		h := m.Header
		if h.MsgID != v.MsgID || h.MsgType != v.MsgType || h.Session != v.Session || h.Username != v.Username || h.Version != v.Version {
			t.Errorf("vector %d: header %+v does not match %+v", i, h, v)
		}
		if !isoDate.MatchString(h.Date) {
			t.Errorf("vector %d: reference date %q does not match our date pattern", i, h.Date)
		}
		if len(m.Identities) != v.Identities || !bytes.Equal(bytes.Join(m.Identities, nil), bytes.Join(frames[:v.Identities], nil)) {
			t.Errorf("vector %d: identities %q, want the first %d frames", i, m.Identities, v.Identities)
		}
		if len(m.Buffers) != v.Buffers {
			t.Errorf("vector %d: %d buffers, want %d", i, len(m.Buffers), v.Buffers)
		}
		if !bytes.Equal(m.RawHeader, frames[v.Identities+2]) {
			t.Errorf("vector %d: RawHeader is not the received bytes", i)
		}
		p, err := m.ParentHeader()
		if err != nil || p.MsgID != v.ParentMsgID || p.MsgType != "execute_request" {
			t.Errorf("vector %d: parent %+v, %v; want msg_id %q", i, p, err, v.ParentMsgID)
		}
		var content struct{ Name, Text string }
		if err := json.Unmarshal(m.Content, &content); err != nil || content.Text != v.ContentText || content.Name != "stdout" {
			t.Errorf("vector %d: content %s", i, m.Content)
		}
		// Re-encoding with our own header must verify with the same key.
		again, err := s.Decode(s.Encode(m))
		if err != nil {
			t.Fatalf("vector %d: Decode(Encode(m)): %v", i, err)
		}
		if again.Header != m.Header || !bytes.Equal(again.Content, m.Content) {
			t.Errorf("vector %d: round trip changed the message", i)
		}
		if v.Key != "" {
			other, _ := NewSigner(v.Scheme, v.Key+"x")
			if _, err := other.Decode(frames); !errors.Is(err, ErrBadSignature) {
				t.Errorf("vector %d: wrong key: err = %v, want ErrBadSignature", i, err)
			}
		}
	}
}

func TestNewSigner(t *testing.T) {
	tests := []struct {
		scheme, key string
		wantErr     string
		signed      bool
	}{
		{"hmac-sha256", "k", "", true},
		{"hmac-sha1", "k", "", true},
		{"hmac-sha224", "k", "", true},
		{"hmac-sha384", "k", "", true},
		{"hmac-sha512", "k", "", true},
		{"hmac-sha256", "", "", false},
		{"", "", "", false},
		{"", "k", "missing signature_scheme", false},
		{"hmac-md5", "k", `unsupported signature_scheme "hmac-md5"`, false},
		{"sha256", "", `unsupported signature_scheme "sha256"`, false},
		{"HMAC-SHA256", "k", "unsupported", false},
	}
	for _, tt := range tests {
		s, err := NewSigner(tt.scheme, tt.key)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewSigner(%q, %q) err = %v, want %q", tt.scheme, tt.key, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewSigner(%q, %q): %v", tt.scheme, tt.key, err)
			continue
		}
		if s.Signed() != tt.signed {
			t.Errorf("NewSigner(%q, %q).Signed() = %v", tt.scheme, tt.key, s.Signed())
		}
	}
}

func TestEncode(t *testing.T) {
	s, err := NewSigner("hmac-sha256", "key")
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{
		Identities: [][]byte{[]byte("a"), []byte("b")},
		Header:     NewHeader("kernel_info_request", "s", "u"),
		Content:    json.RawMessage(`{"x":1}`),
		Buffers:    [][]byte{[]byte("buf")},
	}
	f := s.Encode(m)
	if len(f) != 2+6+1 {
		t.Fatalf("%d frames, want 9", len(f))
	}
	if string(f[0]) != "a" || string(f[1]) != "b" || string(f[2]) != Delimiter || string(f[8]) != "buf" {
		t.Errorf("bad framing: %q", f)
	}
	if string(f[5]) != "{}" || string(f[6]) != "{}" || string(f[7]) != `{"x":1}` {
		t.Errorf("parent/metadata/content = %s %s %s, want {} {} {\"x\":1}", f[5], f[6], f[7])
	}
	sig := string(f[3])
	if len(sig) != 64 || strings.ToLower(sig) != sig {
		t.Errorf("signature %q is not 64 lowercase hex digits", sig)
	}
	var h Header
	if err := json.Unmarshal(f[4], &h); err != nil || h != m.Header {
		t.Errorf("header frame %s does not decode to %+v", f[4], m.Header)
	}

	unsigned, _ := NewSigner("hmac-sha256", "")
	if f := unsigned.Encode(m); len(f[3]) != 0 {
		t.Errorf("unsigned signature = %q, want empty", f[3])
	}
}

func TestUnsignedDecodeAcceptsAnySignature(t *testing.T) {
	s, _ := NewSigner("", "")
	signer, _ := NewSigner("hmac-sha256", "key")
	f := signer.Encode(&Message{Header: NewHeader("x", "s", "u")})
	for _, sig := range []string{"", "garbage", string(f[1])} {
		f[1] = []byte(sig)
		if _, err := s.Decode(f); err != nil {
			t.Errorf("unsigned Decode with signature %q: %v", sig, err)
		}
	}
}

// frames builds a message by hand: identities, delimiter, signature (computed
// with s over the four parts unless sig is given), the parts, then extras.
func handFrames(s *Signer, sig []byte, parts []string, extra ...string) [][]byte {
	raw := make([][]byte, len(parts))
	for i, p := range parts {
		raw[i] = []byte(p)
	}
	if sig == nil && len(raw) >= 4 {
		sig = s.sign(raw[0], raw[1], raw[2], raw[3])
	}
	f := [][]byte{[]byte("id"), []byte(Delimiter), sig}
	f = append(f, raw...)
	for _, e := range extra {
		f = append(f, []byte(e))
	}
	return f
}

func TestDecodeErrors(t *testing.T) {
	s, err := NewSigner("hmac-sha256", "key")
	if err != nil {
		t.Fatal(err)
	}
	hdr := `{"msg_id":"1","msg_type":"execute_request"}`
	tests := []struct {
		name    string
		frames  [][]byte
		want    error
		wantMsg string
	}{
		{"nil", nil, ErrNoDelimiter, "no <IDS|MSG> delimiter"},
		{"no delimiter", [][]byte{[]byte("a"), []byte("b"), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}")}, ErrNoDelimiter, ""},
		{"delimiter prefix only", [][]byte{[]byte("<IDS|MSG"), []byte("x")}, ErrNoDelimiter, ""},
		{"nothing after delimiter", [][]byte{[]byte(Delimiter)}, ErrMalformed, "0 frames after the delimiter"},
		{"too few frames", handFrames(s, []byte("sig"), []string{hdr, "{}", "{}"}), ErrMalformed, "4 frames after the delimiter"},
		{"bad signature", handFrames(s, []byte("0000"), []string{hdr, "{}", "{}", "{}"}), ErrBadSignature, ""},
		{"uppercase signature", handFrames(s, bytes.ToUpper(s.sign([]byte(hdr), []byte("{}"), []byte("{}"), []byte("{}"))), []string{hdr, "{}", "{}", "{}"}), ErrBadSignature, ""},
		{"empty signature", handFrames(s, []byte{}, []string{hdr, "{}", "{}", "{}"}), ErrBadSignature, ""},
		{"header not json", handFrames(s, nil, []string{"{", "{}", "{}", "{}"}), ErrMalformed, "header is not a json object"},
		{"header array", handFrames(s, nil, []string{"[]", "{}", "{}", "{}"}), ErrMalformed, "header is not a json object"},
		{"header null", handFrames(s, nil, []string{"null", "{}", "{}", "{}"}), ErrMalformed, "header is not a json object"},
		{"no msg_type", handFrames(s, nil, []string{`{"msg_id":"1"}`, "{}", "{}", "{}"}), ErrMalformed, "no string msg_type"},
		{"msg_type number", handFrames(s, nil, []string{`{"msg_type":3}`, "{}", "{}", "{}"}), ErrMalformed, "no string msg_type"},
		{"msg_type null", handFrames(s, nil, []string{`{"msg_type":null}`, "{}", "{}", "{}"}), ErrMalformed, "no string msg_type"},
		{"msg_id number", handFrames(s, nil, []string{`{"msg_type":"x","msg_id":5}`, "{}", "{}", "{}"}), ErrMalformed, "header:"},
		{"parent not json", handFrames(s, nil, []string{hdr, "{", "{}", "{}"}), ErrMalformed, "parent_header is not a json object"},
		{"metadata string", handFrames(s, nil, []string{hdr, "{}", `"x"`, "{}"}), ErrMalformed, "metadata is not a json object"},
		{"content list", handFrames(s, nil, []string{hdr, "{}", "{}", "[1]"}), ErrMalformed, "content is not a json object"},
		{"content empty", handFrames(s, nil, []string{hdr, "{}", "{}", ""}), ErrMalformed, "content is not a json object"},
		{"content trailing garbage", handFrames(s, nil, []string{hdr, "{}", "{}", "{} x"}), ErrMalformed, "content is not a json object"},
		{"content invalid utf8 key", handFrames(s, nil, []string{hdr, "{}", "{}", "{\"a\":1,}"}), ErrMalformed, "content is not a json object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := s.Decode(tt.frames)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("message %+v returned with error", m)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestDecodeBuffersAndIdentities(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", "key")
	hdr := `{"msg_type":"comm_msg"}`
	m, err := s.Decode(handFrames(s, nil, []string{hdr, " {} ", "{}", `{"a":[1,2]}`}, "b1", "b2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Identities) != 1 || string(m.Identities[0]) != "id" {
		t.Errorf("identities = %q", m.Identities)
	}
	if len(m.Buffers) != 2 || string(m.Buffers[0]) != "b1" || string(m.Buffers[1]) != "b2" {
		t.Errorf("buffers = %q", m.Buffers)
	}
	if m.Header.MsgType != "comm_msg" || string(m.Content) != `{"a":[1,2]}` {
		t.Errorf("message = %+v", m)
	}

	// The first delimiter wins: identities may not contain it, but a
	// buffer may.
	f := handFrames(s, nil, []string{hdr, "{}", "{}", "{}"}, Delimiter)
	m, err = s.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buffers) != 1 || string(m.Buffers[0]) != Delimiter {
		t.Errorf("buffers = %q", m.Buffers)
	}

	// No identities at all (as from a DEALER socket).
	m, err = s.Decode(handFrames(s, nil, []string{hdr, "{}", "{}", "{}"})[1:])
	if err != nil {
		t.Fatal(err)
	}
	if m.Identities != nil {
		t.Errorf("identities = %q, want none", m.Identities)
	}
}

func FuzzDecode(f *testing.F) {
	s, err := NewSigner("hmac-sha256", "key")
	if err != nil {
		f.Fatal(err)
	}
	unsigned, _ := NewSigner("", "")
	good := s.Encode(&Message{
		Identities: [][]byte{[]byte("id")},
		Header:     NewHeader("execute_request", "s", "u"),
		Content:    json.RawMessage(`{"code":"1"}`),
		Buffers:    [][]byte{[]byte("buf")},
	})
	// The fuzzer works on one byte string: frames are joined with a 0xff
	// separator, which never occurs in UTF-8 JSON.
	join := func(frames [][]byte) []byte { return bytes.Join(frames, []byte{0xff}) }
	f.Add(join(good), true)
	f.Add(join(good), false)
	f.Add(join(good[:5]), true)
	f.Add([]byte("<IDS|MSG>\xff\xff{}\xff{}\xff{}\xff{}"), false)
	f.Add([]byte("<IDS|MSG>\xff\xff{\"msg_type\":\"x\"}\xff{}\xff{}\xff{}"), false)
	f.Add([]byte("<IDS|MSG>\xff\xff{\"msg_type\":\"x\",\"msg_id\":[]}\xff{}\xff{}\xff[]"), false)
	f.Add([]byte(""), true)
	f.Add([]byte("<IDS|MSG>"), true)
	f.Fuzz(func(t *testing.T, data []byte, signed bool) {
		frames := bytes.Split(data, []byte{0xff})
		signer := unsigned
		if signed {
			signer = s
		}
		m, err := signer.Decode(frames)
		if err != nil {
			if !errors.Is(err, ErrNoDelimiter) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		// A decoded message must survive a round trip.
		again, err := signer.Decode(signer.Encode(m))
		if err != nil {
			t.Fatalf("Decode(Encode(m)): %v", err)
		}
		if again.Header != m.Header || !bytes.Equal(again.Content, m.Content) || len(again.Buffers) != len(m.Buffers) {
			t.Fatalf("round trip changed %+v into %+v", m, again)
		}
	})
}

// BenchmarkEncodeStatus measures signing and encoding a status message, as
// the kernel sends two for every request.
func BenchmarkEncodeStatus(b *testing.B) {
	s, err := NewSigner("hmac-sha256", "0123456789abcdef0123456789abcdef")
	if err != nil {
		b.Fatal(err)
	}
	m := &Message{
		Identities: [][]byte{[]byte("status")},
		Header:     NewHeader("status", "session", "kernel"),
		Parent:     json.RawMessage(`{"msg_id":"x","session":"y","username":"u","date":"2026-12-06T17:00:00.000000Z","msg_type":"execute_request","version":"5.3"}`),
		Content:    json.RawMessage(`{"execution_state":"busy"}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(s.Encode(m)) != 7 {
			b.Fatal("want 7 frames")
		}
	}
}
