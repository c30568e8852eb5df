package wire

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Version is the messaging protocol version this package speaks.
const Version = "5.3"

// dateLayout is ISO 8601 in UTC with exactly six fractional digits, the
// precision Python's datetime keeps.
const dateLayout = "2006-01-02T15:04:05.000000Z07:00"

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"` // ISO 8601 with timezone, at most 6 fractional digits
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// NewHeader returns a header for a new message of type msgType, with a
// fresh random msg_id, the current time in UTC and protocol version 5.3.
func NewHeader(msgType, session, username string) Header {
	return Header{
		MsgID:    uuid.NewString(),
		Session:  session,
		Username: username,
		Date:     time.Now().UTC().Format(dateLayout),
		MsgType:  msgType,
		Version:  Version,
	}
}

// Message is one Jupyter message.
//
// The JSON parts are kept as raw bytes so that a message can be relayed or
// used as a parent without being re-encoded. Nil or empty Parent, Metadata
// and Content encode as {}.
type Message struct {
	// Identities is the routing prefix before "<IDS|MSG>". Replies on a
	// ROUTER socket must carry the request's identities; on IOPub it holds
	// the topic.
	Identities [][]byte
	// Header is the decoded header. Encode marshals it; RawHeader is not
	// used for encoding.
	Header Header
	// RawHeader is the header exactly as received. Decode sets it; use it
	// as the Parent of a reply.
	RawHeader json.RawMessage
	Parent    json.RawMessage
	Metadata  json.RawMessage
	Content   json.RawMessage
	Buffers   [][]byte
	// Signature is the signature frame as received. Decode sets it;
	// Encode signs the message itself and does not use it.
	Signature []byte
}

// ParentHeader decodes the parent header. An empty parent gives a zero
// Header and no error.
func (m *Message) ParentHeader() (Header, error) {
	var h Header
	if len(m.Parent) == 0 {
		return h, nil
	}
	if err := json.Unmarshal(m.Parent, &h); err != nil {
		return Header{}, fmt.Errorf("parent header: %w", err)
	}
	return h, nil
}

// NewContent marshals v for use as a message part. It never panics: if v
// is nil or cannot be marshalled it returns {}.
func NewContent(v any) (raw json.RawMessage) {
	defer func() {
		// A MarshalJSON method may panic; a content helper must not.
		if recover() != nil {
			raw = json.RawMessage("{}")
		}
	}()
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return json.RawMessage("{}")
	}
	return b
}
