package wire

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
)

// ConnectionInfo is a parsed Jupyter connection file. Unknown fields are
// ignored.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and validates the connection file at path.
//
// The transport must be "tcp" or "ipc", the ip must be set, tcp ports must
// lie in 1..65535, and the signature scheme must be one that [NewSigner]
// accepts (an empty scheme is allowed only with an empty key).
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	var c ConnectionInfo
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("connection file %s: invalid json: %w", path, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	return &c, nil
}

// validate checks the fields of c, returning an error that names the first
// problem found.
func (c *ConnectionInfo) validate() error {
	switch c.Transport {
	case "tcp", "ipc":
	case "":
		return fmt.Errorf("missing transport (want \"tcp\" or \"ipc\")")
	default:
		return fmt.Errorf("unsupported transport %q (want \"tcp\" or \"ipc\")", c.Transport)
	}
	if c.IP == "" {
		return fmt.Errorf("missing ip")
	}
	for _, p := range c.ports() {
		switch {
		case c.Transport == "tcp" && (p.port <= 0 || p.port > 65535):
			return fmt.Errorf("%s %d out of range 1..65535", p.name, p.port)
		case c.Transport == "ipc" && p.port < 0:
			return fmt.Errorf("%s %d is negative", p.name, p.port)
		}
	}
	if _, err := NewSigner(c.SignatureScheme, c.Key); err != nil {
		return err
	}
	return nil
}

type namedPort struct {
	name string
	port int
}

func (c *ConnectionInfo) ports() []namedPort {
	return []namedPort{
		{"shell_port", c.ShellPort},
		{"iopub_port", c.IOPubPort},
		{"stdin_port", c.StdinPort},
		{"control_port", c.ControlPort},
		{"hb_port", c.HBPort},
	}
}

// Endpoint returns the ZeroMQ endpoint for port: "tcp://HOST:PORT", with
// IPv6 hosts in brackets, or "ipc://IP-PORT" for the ipc transport.
func (c *ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", c.IP, port)
	}
	return "tcp://" + net.JoinHostPort(c.IP, strconv.Itoa(port))
}

// Write writes c as JSON to path with mode 0600, replacing any existing
// file.
func (c *ConnectionInfo) Write(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	// The mode given to OpenFile applies only when the file is created.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	return nil
}

// FreeTCPConnection returns connection info for tcp on 127.0.0.1 with five
// distinct ports that were free when it was called, signed with
// hmac-sha256 and key. It is meant for tests: another process may take a
// port before the kernel binds it.
func FreeTCPConnection(key string) (*ConnectionInfo, error) {
	var ports [5]int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		listeners = append(listeners, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return &ConnectionInfo{
		Transport:       "tcp",
		IP:              "127.0.0.1",
		ShellPort:       ports[0],
		IOPubPort:       ports[1],
		StdinPort:       ports[2],
		ControlPort:     ports[3],
		HBPort:          ports[4],
		Key:             key,
		SignatureScheme: "hmac-sha256",
	}, nil
}
