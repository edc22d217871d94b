//go:build !unix

package journal

// oNoFollow is 0 where open has no such flag (Windows); openNoFollow
// checks the path with Lstat before opening instead.
const oNoFollow = 0
