package wire_test

import (
	"fmt"

	"github.com/beacceaf/gokernel/kernel/wire"
)

func ExampleSigner() {
	s, err := wire.NewSigner("hmac-sha256", "secret")
	if err != nil {
		panic(err)
	}
	frames := s.Encode(&wire.Message{
		Header:  wire.NewHeader("kernel_info_request", "session-1", "me"),
		Content: wire.NewContent(map[string]any{}),
	})
	m, err := s.Decode(frames)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(frames), m.Header.MsgType, string(m.Content))
	// Output: 6 kernel_info_request {}
}
