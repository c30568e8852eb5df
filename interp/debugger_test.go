package interp_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDebugRequests checks the debugger's answers that need no stopped
// cell, over a real worker.
func TestDebugRequests(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	code := "x := 1\nx++\n"
	var dumped string
	for _, tc := range []struct {
		name    string
		request string
		success bool
		check   func(t *testing.T, resp map[string]any)
	}{
		{"dumpCell", `{"type":"request","seq":1,"command":"dumpCell","arguments":{"code":"x := 1\nx++\n"}}`, true,
			func(t *testing.T, resp map[string]any) {
				dumped, _ = resp["body"].(map[string]any)["sourcePath"].(string)
				data, err := os.ReadFile(dumped)
				if err != nil || string(data) != code || filepath.Ext(dumped) != ".go" {
					t.Errorf("dumped %q: %q, %v", dumped, data, err)
				}
			}},
		{"dumpCell without code", `{"type":"request","seq":2,"command":"dumpCell","arguments":{}}`, false,
			message("dumpCell needs arguments.code")},
		{"debugInfo", `{"type":"request","seq":3,"command":"debugInfo"}`, true,
			func(t *testing.T, resp map[string]any) {
				body := resp["body"].(map[string]any)
				prefix, _ := body["tmpFilePrefix"].(string)
				if body["hashMethod"] != "Murmur2" || body["hashSeed"] != float64(0xC70F6907) ||
					body["tmpFileSuffix"] != ".go" || !strings.HasSuffix(prefix, "/") || body["isStarted"] != false {
					t.Errorf("debugInfo body %v", body)
				}
				if !strings.HasPrefix(dumped, prefix) {
					t.Errorf("dumped %q is not under tmpFilePrefix %q", dumped, prefix)
				}
			}},
		{"not JSON", `{"type":`, false, message("malformed DAP request: unexpected end of JSON input")},
		{"unknown command", `{"type":"request","seq":4,"command":"frobnicate"}`, false, message(`unknown DAP command "frobnicate"`)},
		{"bad arguments", `{"type":"request","seq":5,"command":"scopes","arguments":{"frameId":"one"}}`, false,
			message("bad arguments: json: cannot unmarshal string into Go struct field dapArgs.frameId of type int")},
		{"inspectVariables", `{"type":"request","seq":6,"command":"inspectVariables"}`, true,
			func(t *testing.T, resp map[string]any) {
				if vars := resp["body"].(map[string]any)["variables"].([]any); len(vars) != 0 {
					t.Errorf("variables before any cell: %v", vars)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var resp map[string]any
			if err := json.Unmarshal(in.Debug(ctx, []byte(tc.request)), &resp); err != nil {
				t.Fatal(err)
			}
			if resp["success"] != tc.success || resp["type"] != "response" {
				t.Fatalf("response %v, want success %v", resp, tc.success)
			}
			tc.check(t, resp)
		})
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dumped); !os.IsNotExist(err) {
		t.Errorf("after Close, the dumped cell %s: %v, want it removed", dumped, err)
	}
}

// message checks a failed response's message.
func message(want string) func(t *testing.T, resp map[string]any) {
	return func(t *testing.T, resp map[string]any) {
		if resp["message"] != want {
			t.Errorf("message %q, want %q", resp["message"], want)
		}
	}
}
