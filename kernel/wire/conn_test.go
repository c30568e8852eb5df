package wire

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		name      string
		transport string
		ip        string
		port      int
		want      string
	}{
		{"ipv4", "tcp", "127.0.0.1", 5555, "tcp://127.0.0.1:5555"},
		{"ipv6 loopback", "tcp", "::1", 5555, "tcp://[::1]:5555"},
		{"ipv6 full", "tcp", "fe80::1:2", 9, "tcp://[fe80::1:2]:9"},
		{"hostname", "tcp", "localhost", 1, "tcp://localhost:1"},
		{"ipc", "ipc", "/tmp/kernel-abc", 3, "ipc:///tmp/kernel-abc-3"},
		{"ipc relative", "ipc", "kernel-x.ipc", 12, "ipc://kernel-x.ipc-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &ConnectionInfo{Transport: tt.transport, IP: tt.ip}
			if got := c.Endpoint(tt.port); got != tt.want {
				t.Errorf("Endpoint(%d) = %q, want %q", tt.port, got, tt.want)
			}
		})
	}
}

// validConn is a connection file as jupyter_client writes it, with an extra
// field that must be ignored.
const validConn = `{
  "shell_port": 50001,
  "iopub_port": 50002,
  "stdin_port": 50003,
  "control_port": 50004,
  "hb_port": 50005,
  "ip": "127.0.0.1",
  "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84",
  "transport": "tcp",
  "signature_scheme": "hmac-sha256",
  "kernel_name": "go",
  "jupyter_session": "/home/x/untitled.ipynb"
}`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kernel.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadConnectionFile(t *testing.T) {
	path := writeFile(t, validConn)
	c, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatalf("ReadConnectionFile: %v", err)
	}
	want := ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1",
		ShellPort: 50001, IOPubPort: 50002, StdinPort: 50003, ControlPort: 50004, HBPort: 50005,
		Key: "a0436f6c-1916-498b-8eb9-e81ab9368e84", SignatureScheme: "hmac-sha256", KernelName: "go",
	}
	if *c != want {
		t.Errorf("got %+v\nwant %+v", *c, want)
	}
}

func TestReadConnectionFileErrors(t *testing.T) {
	// edit applies a change to the valid connection file.
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(validConn), &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name    string
		content string
		wantErr string // substring of the error, after the path prefix
	}{
		{"not json", "{", "invalid json"},
		{"wrong type", `{"shell_port": "x"}`, "invalid json"},
		{"udp", edit(func(m map[string]any) { m["transport"] = "udp" }), `unsupported transport "udp"`},
		{"no transport", edit(func(m map[string]any) { delete(m, "transport") }), "missing transport"},
		{"no ip", edit(func(m map[string]any) { delete(m, "ip") }), "missing ip"},
		{"zero port", edit(func(m map[string]any) { m["hb_port"] = 0 }), "hb_port 0 out of range"},
		{"missing port", edit(func(m map[string]any) { delete(m, "shell_port") }), "shell_port 0 out of range"},
		{"big port", edit(func(m map[string]any) { m["control_port"] = 70000 }), "control_port 70000 out of range"},
		{"negative ipc port", edit(func(m map[string]any) { m["transport"] = "ipc"; m["stdin_port"] = -1 }), "stdin_port -1 is negative"},
		{"md5", edit(func(m map[string]any) { m["signature_scheme"] = "hmac-md5" }), `unsupported signature_scheme "hmac-md5"`},
		{"no scheme with key", edit(func(m map[string]any) { delete(m, "signature_scheme") }), "missing signature_scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			_, err := ReadConnectionFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "connection file "+path+": ") {
				t.Errorf("error %q does not start with the path", msg)
			}
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not contain %q", msg, tt.wantErr)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q spans lines", msg)
			}
		})
	}
}

func TestReadConnectionFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := ReadConnectionFile(path)
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestReadConnectionFileAccepts(t *testing.T) {
	tests := []struct {
		name string
		c    ConnectionInfo
	}{
		{"unsigned", ConnectionInfo{Transport: "tcp", IP: "::1", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5}},
		{"ipc", ConnectionInfo{Transport: "ipc", IP: "/tmp/k", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5, Key: "k", SignatureScheme: "hmac-sha512"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.json")
			if err := tt.c.Write(path); err != nil {
				t.Fatal(err)
			}
			got, err := ReadConnectionFile(path)
			if err != nil {
				t.Fatalf("ReadConnectionFile: %v", err)
			}
			if *got != tt.c {
				t.Errorf("round trip: got %+v, want %+v", *got, tt.c)
			}
		})
	}
}

func TestWriteMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	// An existing, world-readable file must end up 0600 too.
	if err := os.WriteFile(path, []byte("old content that is longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := FreeTCPConnection("secret")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %o, want 600", mode)
	}
	got, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *c {
		t.Errorf("round trip: got %+v, want %+v", *got, *c)
	}
}

func TestFreeTCPConnection(t *testing.T) {
	c, err := FreeTCPConnection("k")
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "tcp" || c.IP != "127.0.0.1" || c.SignatureScheme != "hmac-sha256" || c.Key != "k" {
		t.Errorf("unexpected info %+v", *c)
	}
	seen := map[int]bool{}
	for _, p := range c.ports() {
		if p.port <= 0 || p.port > 65535 {
			t.Errorf("%s = %d", p.name, p.port)
		}
		if seen[p.port] {
			t.Errorf("port %d used twice", p.port)
		}
		seen[p.port] = true
	}
	if err := c.validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}
