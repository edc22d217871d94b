package eval

import (
	"encoding/json"
	"strings"
	"testing"
)

// condPolicy is an identity policy that allows s3:GetObject on everything
// when the given Condition element (JSON) holds.
func condPolicy(condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + condition + `}]}`
}

// one builds a condition element with one operator, one key and values.
func one(op, key string, vals ...string) string {
	b, err := json.Marshal(map[string]map[string][]string{op: {key: vals}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

type ctx = map[string][]string

// holds evaluates a condition element against a request context.
func holds(t *testing.T, condition string, c ctx) bool {
	t.Helper()
	d, err := Evaluate(condPolicy(condition), Request{
		Principal: Principal{AWS: "arn:aws:iam::111122223333:role/r"},
		Action:    "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: c,
	}, true)
	if err != nil {
		t.Fatalf("Evaluate(%s): %v", condition, err)
	}
	return d == Allow
}

const sse = "s3:x-amz-server-side-encryption"

func TestConditionOperators(t *testing.T) {
	kms := ctx{sse: {"aws:kms"}}
	aes := ctx{sse: {"AES256"}}
	none := ctx{}
	cases := []struct {
		name string
		cond string
		ctx  ctx
		want bool
	}{
		// StringEquals and friends: values are case-sensitive, key names are not.
		{"StringEquals match", one("StringEquals", sse, "aws:kms"), kms, true},
		{"StringEquals other value", one("StringEquals", sse, "aws:kms"), aes, false},
		{"StringEquals values ORed", one("StringEquals", sse, "AES256", "aws:kms"), kms, true},
		{"StringEquals value case", one("StringEquals", sse, "AWS:KMS"), kms, false},
		{"StringEquals key name case", one("StringEquals", "S3:X-Amz-Server-Side-Encryption", "aws:kms"), ctx{"s3:x-AMZ-server-side-encryption": {"aws:kms"}}, true},
		{"StringEquals missing key", one("StringEquals", sse, "aws:kms"), none, false},
		{"StringEquals any context value", one("StringEquals", sse, "aws:kms"), ctx{sse: {"AES256", "aws:kms"}}, true},
		// The trap: a negated operator on a missing key is true, so a bare
		// StringNotEquals deny also hits header-less requests.
		{"StringNotEquals missing key", one("StringNotEquals", sse, "aws:kms"), none, true},
		{"StringNotEquals equal", one("StringNotEquals", sse, "aws:kms"), kms, false},
		{"StringNotEquals different", one("StringNotEquals", sse, "aws:kms"), aes, true},
		{"StringNotEqualsIfExists missing key", one("StringNotEqualsIfExists", sse, "aws:kms"), none, true},
		{"StringNotEqualsIfExists equal", one("StringNotEqualsIfExists", sse, "aws:kms"), kms, false},
		{"StringNotEqualsIfExists different", one("StringNotEqualsIfExists", sse, "aws:kms"), aes, true},
		{"StringEqualsIfExists missing key", one("StringEqualsIfExists", sse, "aws:kms"), none, true},
		{"StringEqualsIfExists different", one("StringEqualsIfExists", sse, "aws:kms"), aes, false},
		{"StringEqualsIgnoreCase", one("StringEqualsIgnoreCase", sse, "AWS:KMS"), kms, true},
		{"StringEqualsIgnoreCase different", one("StringEqualsIgnoreCase", sse, "AWS:KMS"), aes, false},
		{"StringNotEqualsIgnoreCase same but case", one("StringNotEqualsIgnoreCase", sse, "AWS:KMS"), kms, false},
		{"StringNotEqualsIgnoreCase missing", one("StringNotEqualsIgnoreCase", sse, "AWS:KMS"), none, true},
		{"StringLike star spans slashes", one("StringLike", "k", "arn:aws:s3:::b/*"), ctx{"k": {"arn:aws:s3:::b/x/y.dat"}}, true},
		{"StringLike no partial", one("StringLike", "k", "arn:aws:s3:::b/*"), ctx{"k": {"arn:aws:s3:::b"}}, false},
		{"StringLike question mark", one("StringLike", "k", "v?"), ctx{"k": {"v1"}}, true},
		{"StringLike question mark needs one", one("StringLike", "k", "v?"), ctx{"k": {"v"}}, false},
		{"StringLike case-sensitive", one("StringLike", "k", "A*"), ctx{"k": {"abc"}}, false},
		{"StringLike missing", one("StringLike", "k", "*"), none, false},
		{"StringNotLike match", one("StringNotLike", "k", "a*"), ctx{"k": {"abc"}}, false},
		{"StringNotLike missing", one("StringNotLike", "k", "a*"), none, true},
		// Bool
		{"Bool false", one("Bool", "aws:SecureTransport", "false"), ctx{"aws:SecureTransport": {"false"}}, true},
		{"Bool value case", one("Bool", "aws:SecureTransport", "false"), ctx{"aws:SecureTransport": {"FALSE"}}, true},
		{"Bool mismatch", one("Bool", "aws:SecureTransport", "false"), ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool missing", one("Bool", "aws:SecureTransport", "false"), none, false},
		{"BoolIfExists missing", one("BoolIfExists", "aws:SecureTransport", "false"), none, true},
		{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:SecureTransport": {"false"}}, true},
		// Null: true exactly when the key is absent.
		{"Null true absent", one("Null", sse, "true"), none, true},
		{"Null true present", one("Null", sse, "true"), kms, false},
		{"Null false present", one("Null", sse, "false"), kms, true},
		{"Null false absent", one("Null", sse, "false"), none, false},
		{"Null empty value list is absent", one("Null", sse, "true"), ctx{sse: {}}, true},
		// ARN operators match each of the six parts separately.
		{"ArnLike exact", one("ArnLike", "aws:SourceArn", "arn:aws:s3:::src"), ctx{"aws:SourceArn": {"arn:aws:s3:::src"}}, true},
		{"ArnLike other bucket", one("ArnLike", "aws:SourceArn", "arn:aws:s3:::src"), ctx{"aws:SourceArn": {"arn:aws:s3:::src2"}}, false},
		{"ArnLike wildcard resource", one("ArnLike", "aws:SourceArn", "arn:aws:s3:::src*"), ctx{"aws:SourceArn": {"arn:aws:s3:::src2"}}, true},
		{"ArnLike wildcard region and key", one("ArnLike", "k", "arn:aws:kms:*:111122223333:key/*"), ctx{"k": {"arn:aws:kms:eu-west-1:111122223333:key/abc"}}, true},
		{"ArnLike wildcard stays in its part", one("ArnLike", "k", "arn:aws:kms:*:key/*"), ctx{"k": {"arn:aws:kms:eu-west-1:111122223333:key/abc"}}, false},
		{"ArnLike wrong account", one("ArnLike", "k", "arn:aws:kms:*:111122223333:key/*"), ctx{"k": {"arn:aws:kms:eu-west-1:444455556666:key/abc"}}, false},
		{"ArnLike question mark", one("ArnLike", "k", "arn:aws:s3:::b?"), ctx{"k": {"arn:aws:s3:::b1"}}, true},
		{"ArnLike not an ARN", one("ArnLike", "k", "arn:aws:s3:::b"), ctx{"k": {"b"}}, false},
		{"ArnLike missing", one("ArnLike", "k", "arn:aws:s3:::*"), none, false},
		{"ArnEquals wildcard", one("ArnEquals", "k", "arn:aws:s3:::b*"), ctx{"k": {"arn:aws:s3:::bx"}}, true},
		{"ArnNotEquals same", one("ArnNotEquals", "k", "arn:aws:s3:::b"), ctx{"k": {"arn:aws:s3:::b"}}, false},
		{"ArnNotLike missing", one("ArnNotLike", "k", "arn:aws:s3:::b"), none, true},
		{"ArnNotLike other", one("ArnNotLike", "k", "arn:aws:s3:::b"), ctx{"k": {"arn:aws:s3:::c"}}, true},
		{"ArnLikeIfExists missing", one("ArnLikeIfExists", "k", "arn:aws:s3:::b"), none, true},
		// Numeric
		{"NumericEquals", one("NumericEquals", "n", "10"), ctx{"n": {"10.0"}}, true},
		{"NumericEquals JSON number", `{"NumericEquals":{"n":10}}`, ctx{"n": {"10"}}, true},
		{"NumericNotEquals missing", one("NumericNotEquals", "n", "10"), none, true},
		{"NumericNotEquals equal", one("NumericNotEquals", "n", "10"), ctx{"n": {"10"}}, false},
		{"NumericLessThan", one("NumericLessThan", "n", "1.2"), ctx{"n": {"1.1"}}, true},
		{"NumericLessThan equal", one("NumericLessThan", "n", "1.2"), ctx{"n": {"1.2"}}, false},
		{"NumericLessThanEquals", one("NumericLessThanEquals", "n", "1.2"), ctx{"n": {"1.2"}}, true},
		{"NumericGreaterThan", one("NumericGreaterThan", "n", "5"), ctx{"n": {"6"}}, true},
		{"NumericGreaterThanEquals", one("NumericGreaterThanEquals", "n", "5"), ctx{"n": {"4"}}, false},
		{"Numeric context not a number", one("NumericLessThan", "n", "5"), ctx{"n": {"x"}}, false},
		{"NumericLessThanIfExists missing", one("NumericLessThanIfExists", "n", "5"), none, true},
		// Date
		{"DateLessThan", one("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z"), ctx{"aws:CurrentTime": {"2025-12-31T23:59:59Z"}}, true},
		{"DateLessThan epoch", one("DateLessThan", "aws:EpochTime", "1767225600"), ctx{"aws:EpochTime": {"1767225601"}}, false},
		{"DateGreaterThanEquals", one("DateGreaterThanEquals", "t", "2026-01-01"), ctx{"t": {"2026-01-01T00:00:00Z"}}, true},
		{"DateEquals zones", one("DateEquals", "t", "2026-01-01T01:00:00+01:00"), ctx{"t": {"2026-01-01T00:00:00Z"}}, true},
		{"DateNotEquals missing", one("DateNotEquals", "t", "2026-01-01"), none, true},
		// IP
		{"IpAddress in block", one("IpAddress", "aws:SourceIp", "10.0.0.0/8"), ctx{"aws:SourceIp": {"10.1.2.3"}}, true},
		{"IpAddress outside", one("IpAddress", "aws:SourceIp", "10.0.0.0/8"), ctx{"aws:SourceIp": {"192.0.2.1"}}, false},
		{"IpAddress single", one("IpAddress", "aws:SourceIp", "192.0.2.1"), ctx{"aws:SourceIp": {"192.0.2.1"}}, true},
		{"IpAddress v6", one("IpAddress", "aws:SourceIp", "2001:db8::/32"), ctx{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"NotIpAddress outside", one("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"), ctx{"aws:SourceIp": {"192.0.2.1"}}, true},
		{"NotIpAddress missing", one("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"), none, true},
		{"BinaryEquals", one("BinaryEquals", "k", "QmluYXJ5"), ctx{"k": {"QmluYXJ5"}}, true},
		// Set qualifiers.
		{"ForAnyValue one matches", one("ForAnyValue:StringEquals", "tags", "b"), ctx{"tags": {"a", "b"}}, true},
		{"ForAnyValue none matches", one("ForAnyValue:StringEquals", "tags", "c"), ctx{"tags": {"a", "b"}}, false},
		{"ForAnyValue missing", one("ForAnyValue:StringEquals", "tags", "c"), none, false},
		{"ForAnyValue IfExists missing", one("ForAnyValue:StringEqualsIfExists", "tags", "c"), none, true},
		{"ForAnyValue negated", one("ForAnyValue:StringNotLike", "tags", "a*"), ctx{"tags": {"abc", "x"}}, true},
		{"ForAnyValue negated all like", one("ForAnyValue:StringNotLike", "tags", "a*"), ctx{"tags": {"abc", "ax"}}, false},
		{"ForAllValues subset", one("ForAllValues:StringEquals", "tags", "a", "b", "c"), ctx{"tags": {"a", "b"}}, true},
		{"ForAllValues not subset", one("ForAllValues:StringEquals", "tags", "a", "b"), ctx{"tags": {"a", "x"}}, false},
		{"ForAllValues missing is vacuous", one("ForAllValues:StringEquals", "tags", "a"), none, true},
		{"ForAllValues negated none equal", one("ForAllValues:StringNotEquals", "tags", "a"), ctx{"tags": {"x", "y"}}, true},
		{"ForAllValues negated one equal", one("ForAllValues:StringNotEquals", "tags", "a"), ctx{"tags": {"a", "y"}}, false},
		{"ForAllValues ArnLike", one("ForAllValues:ArnLike", "k", "arn:aws:s3:::b/*"), ctx{"k": {"arn:aws:s3:::b/1", "arn:aws:s3:::b/2"}}, true},
		// Operators, and keys within an operator, are ANDed.
		{"two operators both hold", `{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx{sse: {"aws:kms"}, "aws:SecureTransport": {"true"}}, true},
		{"two operators one fails", `{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx{sse: {"aws:kms"}, "aws:SecureTransport": {"false"}}, false},
		{"two keys both hold", `{"StringEquals":{"a":"1","b":"2"}}`, ctx{"a": {"1"}, "b": {"2"}}, true},
		{"two keys one fails", `{"StringEquals":{"a":"1","b":"2"}}`, ctx{"a": {"1"}, "b": {"3"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := holds(t, tc.cond, tc.ctx); got != tc.want {
				t.Fatalf("condition %s with context %v = %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestConditionOperatorErrors(t *testing.T) {
	cases := map[string]string{
		"unknown operator":         one("StringEqual", "k", "v"),
		"operator case":            one("stringequals", "k", "v"),
		"NullIfExists":             one("NullIfExists", "k", "true"),
		"ForAnyValue:Null":         one("ForAnyValue:Null", "k", "true"),
		"Null value":               one("Null", "k", "yes"),
		"Bool value":               one("Bool", "k", "yes"),
		"Numeric value":            one("NumericLessThan", "k", "ten"),
		"Date value":               one("DateLessThan", "k", "yesterday"),
		"Ip value":                 one("IpAddress", "k", "10.0.0.0/33"),
		"bare IfExists":            one("IfExists", "k", "v"),
		"unknown set qualifier":    one("ForSomeValues:StringEquals", "k", "v"),
		"qualifier without base":   one("ForAnyValue:", "k", "v"),
		"unknown op among good":    `{"StringEquals":{"k":"v"},"StringEqualsX":{"k":"v"}}`,
		"unknown op with IfExists": one("StringEqualzIfExists", "k", "v"),
	}
	for name, cond := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Evaluate(condPolicy(cond), Request{Action: "s3:GetObject", Resource: "*"}, true)
			if err == nil {
				t.Fatalf("condition %s accepted", cond)
			}
			if !strings.Contains(err.Error(), `statement "C"`) {
				t.Fatalf("error does not name the statement: %v", err)
			}
		})
	}
}

func TestPrincipalContextKeys(t *testing.T) {
	// The recommended alternative to NotPrincipal: deny unless
	// aws:PrincipalArn is the role. The evaluator fills aws:PrincipalArn from
	// the principal, so the negated operator does not deny the role itself.
	pol := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"OnlyRole","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
	   "Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/backup"}}},
	  {"Sid":"Account","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*",
	   "Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}]}`
	cases := []struct {
		who  Principal
		want Decision
	}{
		{Principal{AWS: "arn:aws:iam::111122223333:role/backup"}, Allow},
		{Principal{AWS: "arn:aws:sts::111122223333:assumed-role/backup/i-0123"}, Allow},
		{Principal{AWS: "arn:aws:iam::111122223333:role/other"}, ExplicitDeny},
		{Principal{Service: "s3.amazonaws.com"}, ExplicitDeny},
	}
	for _, tc := range cases {
		got, err := Evaluate(pol, Request{Principal: tc.who, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.who, got, tc.want)
		}
	}
	// aws:PrincipalAccount comes from the ARN or from Account alone.
	acctOnly := condPolicy(one("StringEquals", "aws:PrincipalAccount", "111122223333"))
	for _, who := range []Principal{{Account: "111122223333"}, {AWS: "arn:aws:iam::111122223333:role/x"}} {
		if got, err := Evaluate(acctOnly, Request{Principal: who, Action: "s3:GetObject", Resource: "x"}, true); err != nil || got != Allow {
			t.Errorf("aws:PrincipalAccount for %+v: %s %v", who, got, err)
		}
	}
	// An explicit context value wins over the filled-in one.
	got, err := Evaluate(pol, Request{Principal: Principal{AWS: "arn:aws:iam::111122223333:role/backup"}, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::b/k", Context: ctx{"AWS:PrincipalArn": {"arn:aws:iam::111122223333:role/x"}}}, false)
	if err != nil || got != ExplicitDeny {
		t.Fatalf("explicit aws:PrincipalArn ignored: %s %v", got, err)
	}
}
