package eval

import "strings"

// wildcardMatch reports whether s matches pattern, where * matches any run
// of characters (including none) and ? exactly one character. Matching is
// case-sensitive; callers lower-case both sides where IAM is not.
func wildcardMatch(pattern, s string) bool {
	// Iterative matching with one backtrack point: the position after the
	// last * and the position in s it currently absorbs up to.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// arnMatch matches an ARN pattern from a Resource element or an Arn*
// condition operator. As the IAM references describe, each of the six
// colon-separated parts (arn, partition, service, region, account,
// resource) is matched on its own, so a wildcard in the region part never
// reaches into the account; the resource part keeps any further colons and
// its * spans / and : alike (arn:<p>:s3:::bucket/* covers every key). A
// pattern that is not a six-part ARN ("*") is matched against the whole
// value.
func arnMatch(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	pp := strings.SplitN(pattern, ":", 6)
	vp := strings.SplitN(value, ":", 6)
	if len(pp) != 6 {
		return wildcardMatch(pattern, value)
	}
	if len(vp) != 6 {
		return false
	}
	for i := range pp {
		if !wildcardMatch(pp[i], vp[i]) {
			return false
		}
	}
	return true
}
