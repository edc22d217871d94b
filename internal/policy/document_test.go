package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hanavault/hanavault/internal/cloud"
)

func TestParseAcceptsStringsListsAndScalars(t *testing.T) {
	text := `{
	  "Version": "2012-10-17",
	  "Id": "p1",
	  "Statement": {
	    "Sid": "One",
	    "Effect": "Deny",
	    "Principal": "*",
	    "Action": "s3:*",
	    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
	    "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:TlsVersion": 1.2}}
	  }
	}`
	got, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := Document{Version: Version, ID: "p1", Statement: []Statement{{
		Sid:       "One",
		Effect:    Deny,
		Principal: &Principal{All: true},
		Action:    Values{"s3:*"},
		Resource:  Values{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
		Condition: Condition{
			"Bool":            {"aws:SecureTransport": Values{"false"}},
			"NumericLessThan": {"s3:TlsVersion": Values{"1.2"}},
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParsePrincipalForms(t *testing.T) {
	got, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	  "Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/r"],"Service":"s3.amazonaws.com",
	  "Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"},"Action":"s3:GetObject","Resource":"*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Principal{
		AWS:           Values{"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/r"},
		Service:       Values{"s3.amazonaws.com"},
		Federated:     Values{"cognito-identity.amazonaws.com"},
		CanonicalUser: Values{"abc"},
	}
	if diff := cmp.Diff(want, got.Statement[0].Principal); diff != "" {
		t.Fatalf("principal mismatch (-want +got):\n%s", diff)
	}
	// And back: the types come out in alphabetical order, one value as a string.
	js := got.Compact()
	wantJS := `"Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/r"],"CanonicalUser":"abc","Federated":"cognito-identity.amazonaws.com","Service":"s3.amazonaws.com"}`
	if !strings.Contains(js, wantJS) {
		t.Fatalf("Compact() = %s\nwant it to contain %s", js, wantJS)
	}
}

func TestParseURLEncoded(t *testing.T) {
	plain := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	a, err := Parse(cloud.EncodePolicyDocument(plain))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Fatalf("URL-encoded parse differs (-plain +encoded):\n%s", diff)
	}
}

func TestParseRejects(t *testing.T) {
	const ok = `"Effect":"Allow","Action":"s3:GetObject","Resource":"*"`
	cases := map[string]string{
		"empty":                     ``,
		"not JSON":                  `{"Version":`,
		"no statement":              `{"Version":"2012-10-17"}`,
		"empty statement list":      `{"Version":"2012-10-17","Statement":[]}`,
		"unknown top element":       `{"Version":"2012-10-17","Statment":[{` + ok + `}]}`,
		"bad version":               `{"Version":"2012-10-18","Statement":[{` + ok + `}]}`,
		"lower-case element":        `{"Version":"2012-10-17","Statement":[{"effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		"unknown statement element": `{"Version":"2012-10-17","Statement":[{` + ok + `,"Principle":"*"}]}`,
		"effect case":               `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}`,
		"no effect":                 `{"Version":"2012-10-17","Statement":[{"Action":"s3:GetObject","Resource":"*"}]}`,
		"no action":                 `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`,
		"empty action list":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`,
		"action and not action":     `{"Version":"2012-10-17","Statement":[{` + ok + `,"NotAction":"s3:PutObject"}]}`,
		"resource and not resource": `{"Version":"2012-10-17","Statement":[{` + ok + `,"NotResource":"x"}]}`,
		"principal and not":         `{"Version":"2012-10-17","Statement":[{` + ok + `,"Principal":"*","NotPrincipal":{"AWS":"*"}}]}`,
		"principal plain string":    `{"Version":"2012-10-17","Statement":[{` + ok + `,"Principal":"arn:aws:iam::111122223333:root"}]}`,
		"unknown principal type":    `{"Version":"2012-10-17","Statement":[{` + ok + `,"Principal":{"Aws":"*"}}]}`,
		"empty principal":           `{"Version":"2012-10-17","Statement":[{` + ok + `,"Principal":{}}]}`,
		"null value":                `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":null,"Resource":"*"}]}`,
		"object value":              `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":{"a":"b"},"Resource":"*"}]}`,
		"condition without keys":    `{"Version":"2012-10-17","Statement":[{` + ok + `,"Condition":{"Bool":{}}}]}`,
		"condition without values":  `{"Version":"2012-10-17","Statement":[{` + ok + `,"Condition":{"Bool":{"aws:SecureTransport":[]}}}]}`,
		"duplicate sid":             `{"Version":"2012-10-17","Statement":[{"Sid":"A",` + ok + `},{"Sid":"A",` + ok + `}]}`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if d, err := Parse(text); err == nil {
				t.Fatalf("Parse accepted %s as %+v", text, d)
			}
		})
	}
}

func TestJSONRoundTripAndDeterminism(t *testing.T) {
	d := Document{Version: Version, ID: "x", Statement: []Statement{
		{
			Sid:       "A",
			Effect:    Deny,
			Principal: AnyPrincipal(),
			NotAction: Values{"s3:GetObject", "s3:ListBucket"},
			Resource:  Values{"arn:aws:s3:::b/*"},
			Condition: Condition{
				"StringNotEquals": {"s3:x-amz-server-side-encryption": Values{"aws:kms"}, "aws:SourceVpce": Values{"vpce-1", "vpce-2"}},
				"Null":            {"s3:x-amz-server-side-encryption": Values{"false"}},
			},
		},
		{Sid: "B", Effect: Allow, NotPrincipal: nil, Principal: AWSPrincipal("111122223333"), Action: Values{"s3:*"}, NotResource: Values{"arn:aws:s3:::c"}},
		{Effect: Allow, Action: Values{"sts:AssumeRole"}, Principal: ServicePrincipal("s3.amazonaws.com")},
		{Sid: "D", Effect: Deny, NotPrincipal: AWSPrincipal("arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/x"), Action: Values{"s3:*"}, Resource: Values{"*"}},
	}}
	first := d.JSON()
	for range 20 {
		if got := d.JSON(); got != first {
			t.Fatalf("JSON() is not deterministic:\n%s\n---\n%s", first, got)
		}
	}
	for name, text := range map[string]string{"indented": d.JSON(), "compact": d.Compact()} {
		back, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		if diff := cmp.Diff(d, back); diff != "" {
			t.Fatalf("%s round trip (-want +got):\n%s", name, diff)
		}
	}
	if strings.Contains(d.Compact(), "\n") || strings.Contains(d.Compact(), "  ") {
		t.Fatalf("Compact() is not compact: %s", d.Compact())
	}
	if !strings.HasPrefix(first, "{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"x\",\n  \"Statement\": [\n    {\n      \"Sid\": \"A\",") {
		t.Fatalf("JSON() does not start with Version, Id, Statement indented by two spaces:\n%s", first)
	}
	// Conditions: operators and keys sorted, one value a plain string.
	wantCond := `"Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"},"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"],"s3:x-amz-server-side-encryption":"aws:kms"}}`
	if !strings.Contains(d.Compact(), wantCond) {
		t.Fatalf("Compact() = %s\nwant condition %s", d.Compact(), wantCond)
	}
}

func TestJSONDoesNotEscapeHTML(t *testing.T) {
	d := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: Values{"s3:GetObject"},
		Resource: Values{"arn:aws:s3:::b/a&b<c>"}}}}
	if got := d.Compact(); !strings.Contains(got, `"arn:aws:s3:::b/a&b<c>"`) {
		t.Fatalf("Compact() escaped HTML characters: %s", got)
	}
}

func TestEquivalent(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"A","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
	  {"Sid":"B","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`
	cases := []struct {
		name  string
		other string
		want  bool
	}{
		{"identical", base, true},
		{"reordered, reformatted, lists, bools, case", `{"Statement":[
		  {"Resource":"*","Action":["KMS:Decrypt","kms:encrypt","kms:Decrypt"],"Principal":{"AWS":["111122223333"]},"Effect":"Allow","Sid":"B"},
		  {"Condition":{"Bool":{"AWS:SecureTransport":[false]}},"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b"],"Action":["s3:*"],"Principal":{"AWS":"*"},"Effect":"Deny","Sid":"A"}],
		  "Version":"2012-10-17"}`, true},
		{"URL-encoded", cloud.EncodePolicyDocument(base), true},
		{"different effect", strings.Replace(base, `"Effect":"Deny"`, `"Effect":"Allow"`, 1), false},
		{"different sid", strings.Replace(base, `"Sid":"A"`, `"Sid":"A2"`, 1), false},
		{"missing resource", strings.Replace(base, `["arn:aws:s3:::b","arn:aws:s3:::b/*"]`, `"arn:aws:s3:::b"`, 1), false},
		{"resource case matters", strings.Replace(base, `arn:aws:s3:::b/*`, `arn:aws:s3:::B/*`, 1), false},
		{"condition value", strings.Replace(base, `"false"`, `"true"`, 1), false},
		{"operator", strings.Replace(base, `"Bool"`, `"BoolIfExists"`, 1), false},
		{"other account", strings.Replace(base, `111122223333`, `444455556666`, 1), false},
		{"version", strings.Replace(base, `2012-10-17`, `2008-10-17`, 1), false},
		{"extra statement", strings.Replace(base, `]}`, `,{"Sid":"C","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, 1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Equivalent(base, tc.other)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Equivalent = %v, want %v\n%s", got, tc.want, tc.other)
			}
			back, err := Equivalent(tc.other, base)
			if err != nil || back != got {
				t.Fatalf("Equivalent is not symmetric: %v/%v (%v)", got, back, err)
			}
		})
	}
	if _, err := Equivalent(base, `{"Version":"2012-10-17"}`); err == nil {
		t.Fatal("Equivalent accepted a document without statements")
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{
		"123456789012":  true,
		"000000000000":  true,
		"12345678901":   false, // 11 digits
		"1234567890123": false, // 13 digits
		"12345678901a":  false,
		"１23456789012":  false, // a full-width digit
		"":              false,
		"*":             false,
	} {
		if got := IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", s, got, want)
		}
	}
}
