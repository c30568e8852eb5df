package interp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/kernel"
)

var _ kernel.Debugger = (*Interpreter)(nil)

// Cell files. The front end names a cell by the file
// tmpFilePrefix + murmur2(code, hashSeed) + tmpFileSuffix, with the values
// that debugInfo announces; dumpCell writes the cell there, and every cell
// runs under the name of its code's file, so that breakpoints and stack
// frames agree with the front end.
const (
	hashMethod = "Murmur2"
	hashSeed   = 0xC70F6907
	cellSuffix = ".go"
)

// debugSide is the kernel-side state of the debugger: where events go, and
// the directory of dumped cells.
type debugSide struct {
	mu     sync.Mutex
	events func([]byte)
	dir    string // the dumped cells' directory, once one is written
}

// cellDir is the directory whose files name cells: one a kernel process.
func cellDir() string {
	return filepath.Join(os.TempDir(), "gokernel_"+strconv.Itoa(os.Getpid()))
}

// cellPath is the file that the front end names a cell of code by.
func cellPath(code string) string {
	return filepath.Join(cellDir(), strconv.FormatUint(uint64(murmur2([]byte(code), hashSeed)), 10)+cellSuffix)
}

// murmur2 is Austin Appleby's 32-bit MurmurHash2 of data, which the
// Jupyter front ends compute over a cell's UTF-8 bytes.
func murmur2(data []byte, seed uint32) uint32 {
	const m, r = 0x5bd1e995, 24
	h := seed ^ uint32(len(data))
	for len(data) >= 4 {
		k := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h = h*m ^ k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// SetDebugEvents implements kernel.Debugger.
func (i *Interpreter) SetDebugEvents(events func([]byte)) {
	i.dbg.mu.Lock()
	defer i.dbg.mu.Unlock()
	i.dbg.events = events
}

// debugEvent passes a worker's DAP event to the kernel.
func (i *Interpreter) debugEvent(ev proto.DebugEvent) {
	i.dbg.mu.Lock()
	events := i.dbg.events
	i.dbg.mu.Unlock()
	if events != nil {
		events(ev.DAP)
	}
}

// Debug implements kernel.Debugger. dumpCell is answered here; debugInfo
// gets the hash fields here; every other command goes to the worker, which
// answers it also while a cell runs or is stopped.
func (i *Interpreter) Debug(ctx context.Context, request []byte) []byte {
	var req struct {
		Seq       int    `json:"seq"`
		Command   string `json:"command"`
		Arguments struct {
			Code *string `json:"code"`
		} `json:"arguments"`
	}
	if err := json.Unmarshal(request, &req); err != nil {
		return dapResponse(0, "", nil, fmt.Errorf("malformed DAP request: %w", err))
	}
	if req.Command == "dumpCell" {
		if req.Arguments.Code == nil {
			return dapResponse(req.Seq, req.Command, nil, errors.New("dumpCell needs arguments.code"))
		}
		path, err := i.dumpCell(*req.Arguments.Code)
		return dapResponse(req.Seq, req.Command, map[string]any{"sourcePath": path}, err)
	}
	ev, err := query[proto.DebugReply](ctx, i, proto.Debug{DAP: request})
	if err != nil {
		return dapResponse(req.Seq, req.Command, nil, fmt.Errorf("the Go worker did not answer: %w", err))
	}
	if req.Command != "debugInfo" {
		return ev.DAP
	}
	var resp map[string]any
	if err := json.Unmarshal(ev.DAP, &resp); err != nil {
		return dapResponse(req.Seq, req.Command, nil, fmt.Errorf("the Go worker's answer: %w", err))
	}
	body, _ := resp["body"].(map[string]any)
	if body == nil {
		body = map[string]any{}
		resp["body"] = body
	}
	body["hashMethod"] = hashMethod
	body["hashSeed"] = hashSeed
	body["tmpFilePrefix"] = cellDir() + string(filepath.Separator)
	body["tmpFileSuffix"] = cellSuffix
	out, _ := json.Marshal(resp)
	return out
}

// dumpCell writes code to its cell file and returns the file's path.
func (i *Interpreter) dumpCell(code string) (string, error) {
	path := cellPath(code)
	i.dbg.mu.Lock()
	defer i.dbg.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("dumpCell: %w", err)
	}
	i.dbg.dir = filepath.Dir(path)
	if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
		return "", fmt.Errorf("dumpCell: %w", err)
	}
	return path, nil
}

// removeCellFiles removes the dumped cells, when the kernel ends.
func (i *Interpreter) removeCellFiles() {
	i.dbg.mu.Lock()
	dir := i.dbg.dir
	i.dbg.mu.Unlock()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// dapResponse makes a DAP response to request seq: success with body, or
// failure with err's message.
func dapResponse(seq int, command string, body any, err error) []byte {
	resp := map[string]any{"type": "response", "seq": 0, "request_seq": seq, "command": command, "success": err == nil}
	if err != nil {
		resp["message"] = err.Error()
	} else if body != nil {
		resp["body"] = body
	}
	out, _ := json.Marshal(resp)
	return out
}
