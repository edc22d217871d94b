package eval

import "strings"

// wildcardMatch reports whether s matches pattern, where * matches any run
// of characters (including none) and ? exactly one character (a rune, not a
// byte: object keys may be any UTF-8). Matching is case-sensitive; callers
// lower-case both sides where IAM is not.
func wildcardMatch(pattern, s string) bool {
	if isASCII(pattern) && isASCII(s) {
		return match([]byte(pattern), []byte(s))
	}
	return match([]rune(pattern), []rune(s))
}

// match is iterative wildcard matching with one backtrack point: the
// position after the last * and how much of s that * absorbs so far.
func match[E byte | rune](pattern, s []E) bool {
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// arnMatch matches an ARN pattern from a Resource element or an Arn*
// condition operator. As the IAM references describe, each of the six
// colon-separated parts (arn, partition, service, region, account,
// resource) is matched on its own, so a wildcard in the region part never
// reaches into the account; the resource part keeps any further colons and
// its * spans / and : alike (arn:<p>:s3:::bucket/* covers every key). A
// pattern that starts with "arn:" but has fewer parts matches nothing; any
// other pattern ("*", "arn*") is matched against the whole value.
func arnMatch(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	pp := strings.SplitN(pattern, ":", 6)
	vp := strings.SplitN(value, ":", 6)
	if len(pp) != 6 {
		return !strings.HasPrefix(pattern, "arn:") && wildcardMatch(pattern, value)
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
