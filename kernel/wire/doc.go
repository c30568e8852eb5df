// Package wire implements the wire format of the Jupyter messaging
// protocol, version 5.3: connection files, message headers, the framing of
// a message into ZeroMQ frames, and HMAC signing.
//
// The package knows nothing about sockets and starts no goroutines. A
// message on the wire is a list of frames:
//
//	identities... "<IDS|MSG>" signature header parent_header metadata content buffers...
//
// [Signer.Encode] turns a [Message] into such frames and [Signer.Decode]
// parses and verifies them. The signature is the lowercase hex HMAC of the
// four JSON frames, computed over the exact bytes that were received, with
// the connection file's key and signature scheme.
//
// See https://jupyter-client.readthedocs.io/en/stable/messaging.html.
package wire
