package symbols

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"hash"
	"reflect"
)

// Symbols holds the symbol tables of this package, keyed like yaegi's own
// tables ("strings/strings", "golang.org/x/sys/unix/unix"). The generated
// files of this package add to it; pass it to interp.Interpreter.Use after
// yaegi's stdlib, syscall, unsafe and unrestricted tables.
//
// The two entries written out here are generic functions of Go 1.24, which
// the extractor skips, instantiated at hash.Hash: a cell can call
// pbkdf2.Key(sha256.New, ...) and hkdf.Key(sha256.New, ...) with any
// constructor of type func() hash.Hash.
var Symbols = map[string]map[string]reflect.Value{
	"crypto/hkdf/hkdf": {
		"Expand":  reflect.ValueOf(hkdf.Expand[hash.Hash]),
		"Extract": reflect.ValueOf(hkdf.Extract[hash.Hash]),
		"Key":     reflect.ValueOf(hkdf.Key[hash.Hash]),
	},
	"crypto/pbkdf2/pbkdf2": {
		"Key": reflect.ValueOf(pbkdf2.Key[hash.Hash]),
	},
}
