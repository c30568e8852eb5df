// Package pages lets gokernel's programs give back the memory that only
// their start-up used.
//
// Both programs touch much more of their own binary while they start than
// while they serve: the worker initialises yaegi's symbol tables, about a
// hundred and sixty packages' worth, and the kernel reads its flags, the
// connection file and the kernelspec. Once started, each calls
// [DropStartupPages], and the code and read-only data it no longer uses
// leave its resident set.
package pages
