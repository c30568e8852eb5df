package gosrc

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestZZScan(t *testing.T) {
	dir := os.Getenv("SCAN_DIR")
	if dir == "" {
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		src, _ := os.ReadFile(n)
		_, err := Compile("In[1]", string(src), nil)
		msg := "ok"
		if err != nil {
			msg = strings.ReplaceAll(err.Error(), "\n", " ")
		}
		fmt.Fprintf(&b, "%s\t%s\n", strings.ReplaceAll(filepath.Base(n), "__", "/"), msg)
	}
	os.WriteFile(os.Getenv("SCAN_OUT"), []byte(b.String()), 0o644)
}
