package magics

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecoder(t *testing.T) {
	tests := []struct {
		name   string
		crlf   bool
		chunks []string
		want   []string // what each write returns, then the flush
	}{
		{"crlf", true, []string{"a\r\nb\r\n"}, []string{"a\nb\n", ""}},
		{"crlf split", true, []string{"a\r", "\nb"}, []string{"a", "\nb", ""}},
		{"lone cr kept", true, []string{"50%\r", "60%\r"}, []string{"50%", "\r60%", "\r"}},
		{"no crlf conversion", false, []string{"a\r\n"}, []string{"a\r\n", ""}},
		{"utf-8 split", true, []string{"пр\xd0", "\xb8вет"}, []string{"пр", "ивет", ""}},
		{"utf-8 split three ways", false, []string{"\xe2", "\x82", "\xac!"}, []string{"", "", "€!", ""}},
		{"invalid byte passes", false, []string{"a\xffb"}, []string{"a\xffb", ""}},
		{"incomplete at the end is flushed", false, []string{"x\xd0"}, []string{"x", "\xd0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := decoder{crlf: tc.crlf}
			var got []string
			for _, c := range tc.chunks {
				got = append(got, d.write([]byte(c)))
			}
			got = append(got, d.flush())
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"a  b\tc", []string{"a", "b", "c"}, ""},
		{`'a b' "c d" e\ f`, []string{"a b", "c d", "e f"}, ""},
		{`"a \"q\" \$x \n"`, []string{`a "q" $x \n`}, ""},
		{`'' ""`, []string{"", ""}, ""},
		{`x"y"'z'`, []string{"xyz"}, ""},
		{"файл.c --ejudge-style", []string{"файл.c", "--ejudge-style"}, ""},
		{`'open`, nil, "unterminated single quote"},
		{`"open`, nil, "unterminated double quote"},
	}
	for _, tc := range tests {
		got, err := splitArgs(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("splitArgs(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := []struct {
		s    float64
		want string
	}{
		{2.5, "2.5 s"}, {0.0123, "12.3 ms"}, {0.0009997, "1 ms"}, {4.56e-6, "4.56 µs"},
		{7e-9, "7 ns"}, {0, "0 ns"}, {75, "1min 15s"},
	}
	for _, tc := range tests {
		if got := formatSeconds(tc.s); got != tc.want {
			t.Errorf("formatSeconds(%v) = %q, want %q", tc.s, got, tc.want)
		}
	}
	if got := groupThousands(1234567); got != "1,234,567" {
		t.Errorf("groupThousands = %q", got)
	}
}

func TestCommentStyle(t *testing.T) {
	tests := map[string]string{
		"a.c": "//", "x/b.go": "//", "c.S": "//", "d.s": "#", "e.py": "#", "Makefile": "#",
		"CMakeLists.txt": "#", "f.sql": "--", "g.asm": ";", "h.html": "<!--", "README": "#", "файл.cpp": "//",
	}
	for file, want := range tests {
		if got, _ := commentStyle(file); got != want {
			t.Errorf("commentStyle(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestKeepEnd(t *testing.T) {
	s := strings.Repeat("строка номер раз\n", 1000)
	got := keepEnd(s, 1000)
	if len(got) > 1000 {
		t.Errorf("keepEnd gave %d bytes, want at most 1000", len(got))
	}
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "строка номер раз\n") {
		t.Errorf("keepEnd cut badly: %q", got[len(got)-40:])
	}
	head, body, _ := strings.Cut(got, "\n")
	if !strings.HasPrefix(head, "[... ") || !strings.HasPrefix(body, "строка") {
		t.Errorf("keepEnd starts %q", got[:80])
	}
	if keepEnd("short", 10) != "short" {
		t.Error("keepEnd changed a short text")
	}
}

func TestRunsInBackground(t *testing.T) {
	tests := map[string]bool{
		"sleep 1 &": true, "sleep 1&": true, "a & ": true, "a &;": true,
		"a && b": false, "a &>/dev/null": false, `echo \&`: false, "a 2>&": false, "echo": false,
	}
	for cmd, want := range tests {
		if got := runsInBackground(cmd); got != want {
			t.Errorf("runsInBackground(%q) = %v, want %v", cmd, got, want)
		}
	}
}
