//go:build unix

package journal

import "syscall"

// oNoFollow makes open(2) fail on a symbolic link in the last component.
const oNoFollow = syscall.O_NOFOLLOW
