package memaws

import (
	"encoding/base64"
	"errors"
	"sort"
	"strings"
)

const markerPrefix = "memaws:"

var errBadMarker = errors.New("invalid marker")

func encodeMarker(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(markerPrefix + key))
}

func decodeMarker(m string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || !strings.HasPrefix(string(b), markerPrefix) {
		return "", errBadMarker
	}
	return strings.TrimPrefix(string(b), markerPrefix), nil
}

// pageAfter returns up to max items (sorted by key) that come after the
// opaque marker, the marker of the next page and whether more remain.
func pageAfter[T any](items []T, key func(T) string, marker string, max int) ([]T, string, bool, error) {
	start := 0
	if marker != "" {
		after, err := decodeMarker(marker)
		if err != nil {
			return nil, "", false, err
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := start + max
	if end >= len(items) {
		return items[start:], "", false, nil
	}
	return items[start:end], encodeMarker(key(items[end-1])), true, nil
}
