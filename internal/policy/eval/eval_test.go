package eval

import (
	"regexp"
	"strings"
	"testing"
)

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{ImplicitDeny: "implicit deny", Allow: "allow", ExplicitDeny: "explicit deny", Decision(7): "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(d), got, want)
		}
	}
}

func actionPolicy(actionElem string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow",` + actionElem + `,"Resource":"*"}]}`
}

func TestActionMatching(t *testing.T) {
	cases := []struct {
		elem, action string
		want         bool
	}{
		{`"Action":"s3:PutObject"`, "s3:PutObject", true},
		{`"Action":"s3:PutObject"`, "S3:putobject", true},
		{`"Action":"S3:PUTOBJECT"`, "s3:PutObject", true},
		{`"Action":"s3:PutObject"`, "s3:PutObjectTagging", false},
		{`"Action":"s3:Get*"`, "s3:GetObjectVersion", true},
		{`"Action":"s3:Get*"`, "s3:PutObject", false},
		{`"Action":"s3:?etObject"`, "s3:GetObject", true},
		{`"Action":"s3:*"`, "s3express:CreateSession", false},
		{`"Action":"s3:*"`, "kms:Decrypt", false},
		{`"Action":"*"`, "kms:Decrypt", true},
		{`"Action":"kms:ReEncrypt*"`, "kms:ReEncryptFrom", true},
		{`"Action":"kms:GenerateDataKey*"`, "kms:GenerateDataKeyWithoutPlaintext", true},
		{`"Action":["kms:Encrypt","kms:Decrypt"]`, "kms:Decrypt", true},
		{`"NotAction":"iam:*"`, "s3:GetObject", true},
		{`"NotAction":"iam:*"`, "iam:CreateRole", false},
		{`"NotAction":["iam:*","kms:*"]`, "kms:Decrypt", false},
	}
	for _, tc := range cases {
		got, err := Evaluate(actionPolicy(tc.elem), Request{Action: tc.action, Resource: "arn:aws:s3:::b"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if (got == Allow) != tc.want {
			t.Errorf("%s vs %s: %s, want allow=%v", tc.elem, tc.action, got, tc.want)
		}
	}
}

func resourcePolicy(resourceElem string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"R","Effect":"Allow","Action":"*",` + resourceElem + `}]}`
}

func TestResourceMatching(t *testing.T) {
	const key = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		elem, resource string
		want           bool
	}{
		{`"Resource":"*"`, "arn:aws:s3:::b/k", true},
		{`"Resource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::b/dir/k.dat", true},
		{`"Resource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::b", false},
		{`"Resource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::bb/k", false},
		{`"Resource":"arn:aws:s3:::b"`, "arn:aws:s3:::b", true},
		{`"Resource":"arn:aws:s3:::b"`, "arn:aws:s3:::B", false},
		{`"Resource":"arn:aws:s3:::b*"`, "arn:aws:s3:::bb/k", true},
		{`"Resource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::b/a:b:c", true},
		{`"Resource":"arn:aws:kms:*:111122223333:key/*"`, key, true},
		{`"Resource":"arn:aws:kms:*:444455556666:key/*"`, key, false},
		{`"Resource":"arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"`, key, true},
		{`"Resource":"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"`, key, false},
		{`"Resource":"arn:aws:kms:*:key/*"`, key, false},
		{`"Resource":"arn:aws-cn:s3:::b/*"`, "arn:aws:s3:::b/k", false},
		{`"Resource":["arn:aws:s3:::a","arn:aws:s3:::b"]`, "arn:aws:s3:::b", true},
		{`"NotResource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::c/k", true},
		{`"NotResource":"arn:aws:s3:::b/*"`, "arn:aws:s3:::b/k", false},
	}
	for _, tc := range cases {
		got, err := Evaluate(resourcePolicy(tc.elem), Request{Action: "s3:GetObject", Resource: tc.resource}, true)
		if err != nil {
			t.Fatal(err)
		}
		if (got == Allow) != tc.want {
			t.Errorf("%s vs %s: %s, want allow=%v", tc.elem, tc.resource, got, tc.want)
		}
	}
}

func TestTrustPolicyWithoutResource(t *testing.T) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for who, want := range map[Principal]Decision{asS3: Allow, asLogging: ImplicitDeny, asRole: ImplicitDeny} {
		got, err := Evaluate(trust, Request{Principal: who, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/repl"}, false)
		if err != nil || got != want {
			t.Errorf("%+v: %s %v, want %s", who, got, err, want)
		}
	}
}

func TestDenyBeatsAllow(t *testing.T) {
	pol := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"Allow","Effect":"Allow","Action":"s3:*","Resource":"*"},
	  {"Sid":"Deny","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	p, err := Compile(pol, true)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Evaluate(Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"})
	if r.Decision != ExplicitDeny || r.Sid != "Deny" || r.Statement != 1 || r.Policy != "identity policy" {
		t.Fatalf("delete: %+v", r)
	}
	r = p.Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	if r.Decision != Allow || r.Sid != "Allow" || r.Statement != 0 {
		t.Fatalf("get: %+v", r)
	}
	r = p.Evaluate(Request{Action: "kms:Decrypt", Resource: "arn:aws:s3:::b/k"})
	if r.Decision != ImplicitDeny || r.Statement != -1 {
		t.Fatalf("kms: %+v", r)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name     string
		policy   string
		identity bool
	}{
		{"identity policy with principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, true},
		{"resource policy without principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{"action without service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, true},
		{"not JSON", `{`, true},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}`, true},
	}
	for _, tc := range cases {
		if _, err := Evaluate(tc.policy, Request{Action: "s3:GetObject", Resource: "*"}, tc.identity); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

const (
	bucketObj = "arn:aws:s3:::b/k"
	allowGet  = `{"Version":"2012-10-17","Statement":[{"Sid":"IdAllow","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	denyGet   = `{"Version":"2012-10-17","Statement":[{"Sid":"IdDeny","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`
	unrelated = `{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
)

func bucketPolicy(sid, effect, principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"` + effect + `","Principal":` + principal +
		`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
}

func TestAuthorize(t *testing.T) {
	roleAllow := bucketPolicy("ResAllow", "Allow", `{"AWS":"`+roleARN+`"}`)
	rootAllow := bucketPolicy("ResRoot", "Allow", `{"AWS":"`+rootARN+`"}`)
	resDeny := bucketPolicy("ResDeny", "Deny", `"*"`)
	cases := []struct {
		name     string
		ids      []string
		res      string
		want     Decision
		policy   string
		sid      string
		decisive bool
	}{
		{"nothing", nil, "", ImplicitDeny, "", "", false},
		{"unrelated identity policy", []string{unrelated}, "", ImplicitDeny, "", "", false},
		{"identity allow", []string{unrelated, allowGet}, "", Allow, "identity policy 2", "IdAllow", true},
		{"resource allow to the role", nil, roleAllow, Allow, "resource policy", "ResAllow", true},
		{"resource allow to the account delegates", nil, rootAllow, ImplicitDeny, "", "", false},
		{"delegation plus identity allow", []string{allowGet}, rootAllow, Allow, "identity policy 1", "IdAllow", true},
		{"identity deny beats resource allow", []string{denyGet}, roleAllow, ExplicitDeny, "identity policy 1", "IdDeny", true},
		{"resource deny beats identity allow", []string{allowGet}, resDeny, ExplicitDeny, "resource policy", "ResDeny", true},
		{"blank policies skipped", []string{"", allowGet}, "  ", Allow, "identity policy 2", "IdAllow", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj}
			got, err := Authorize(req, tc.ids, tc.res)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Authorize = %s, want %s", got, tc.want)
			}
			r, err := Explain(req, tc.ids, tc.res)
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision != tc.want || r.Policy != tc.policy || r.Sid != tc.sid || (r.Statement >= 0) != tc.decisive {
				t.Fatalf("Explain = %+v (%s)", r, r)
			}
		})
	}
}

func TestAuthorizeErrorsNameThePolicy(t *testing.T) {
	req := Request{Principal: asRole, Action: "s3:GetObject", Resource: bucketObj}
	_, err := Authorize(req, []string{allowGet, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bogus":{"k":"v"}}}]}`}, "")
	if err == nil || !strings.Contains(err.Error(), "identity policy 2") || !strings.Contains(err.Error(), "Bogus") {
		t.Fatalf("error %v does not name identity policy 2 and the operator", err)
	}
	_, err = Authorize(req, nil, allowGet) // an identity policy used as resource policy: no Principal
	if err == nil || !strings.Contains(err.Error(), "resource policy") {
		t.Fatalf("error %v does not name the resource policy", err)
	}
}

const (
	keyARN      = "arn:aws:kms:eu-central-1:111122223333:key/k1"
	rootKeyStmt = `{"Sid":"EnableIAMPolicies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`
	userStmt    = `{"Sid":"User","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/backup"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`
	idDecrypt   = `{"Version":"2012-10-17","Statement":[{"Sid":"IdDecrypt","Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-central-1:111122223333:key/k1"}]}`
	idDenyKMS   = `{"Version":"2012-10-17","Statement":[{"Sid":"IdDenyKMS","Effect":"Deny","Action":"kms:*","Resource":"*"}]}`
)

func keyPolicy(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestAuthorizeKMS(t *testing.T) {
	foreignRoot := `{"Sid":"Foreign","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}`
	keyDeny := `{"Sid":"KeyDeny","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:ViaService":"s3.eu-central-1.amazonaws.com"}}}`
	cases := []struct {
		name string
		who  Principal
		key  string
		ids  []string
		want Decision
		sid  string
	}{
		{"key policy allows the role directly", asRole, keyPolicy(userStmt), nil, Allow, "User"},
		{"root statement alone is not enough", asOtherRole, keyPolicy(rootKeyStmt, userStmt), nil, ImplicitDeny, ""},
		{"root statement plus identity allow", asOtherRole, keyPolicy(rootKeyStmt), []string{idDecrypt}, Allow, "IdDecrypt"},
		{"identity allow without root statement", asOtherRole, keyPolicy(userStmt), []string{idDecrypt}, ImplicitDeny, ""},
		{"identity deny beats key policy", asRole, keyPolicy(userStmt), []string{idDenyKMS}, ExplicitDeny, "IdDenyKMS"},
		{"key policy deny", asRole, keyPolicy(userStmt, keyDeny), nil, ExplicitDeny, "KeyDeny"},
		{"other account's root does not enable our IAM", asOtherRole, keyPolicy(foreignRoot), []string{idDecrypt}, ImplicitDeny, ""},
		{"cross-account: foreign root plus the foreign role's identity allow", asForeign, keyPolicy(foreignRoot), []string{idDecrypt}, Allow, "IdDecrypt"},
		{"cross-account: foreign root alone", asForeign, keyPolicy(foreignRoot), nil, ImplicitDeny, ""},
		{"session of the role", asSession, keyPolicy(userStmt), nil, Allow, "User"},
		{"the root user itself", asRoot, keyPolicy(rootKeyStmt), nil, Allow, "EnableIAMPolicies"},
		{"service principal", asS3, keyPolicy(rootKeyStmt, userStmt), []string{idDecrypt}, ImplicitDeny, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Principal: tc.who, Action: "kms:Decrypt", Resource: keyARN}
			got, err := AuthorizeKMS(req, tc.key, tc.ids, acct)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("AuthorizeKMS = %s, want %s", got, tc.want)
			}
			r, err := ExplainKMS(req, tc.key, tc.ids, acct)
			if err != nil || r.Decision != tc.want || r.Sid != tc.sid {
				t.Fatalf("ExplainKMS = %+v (%s), %v", r, r, err)
			}
		})
	}
	if _, err := AuthorizeKMS(Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN}, " ", nil, acct); err == nil {
		t.Fatal("empty key policy accepted")
	}
}

func TestAuthorizeKMSResourceAccount(t *testing.T) {
	kp := keyPolicy(`{"Sid":"SameAccount","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}`)
	req := Request{Principal: asRole, Action: "kms:Decrypt", Resource: keyARN}
	if got, err := AuthorizeKMS(req, kp, nil, acct); err != nil || got != Allow {
		t.Fatalf("key account %s: %s %v", acct, got, err)
	}
	if got, err := AuthorizeKMS(req, kp, nil, other); err != nil || got != ImplicitDeny {
		t.Fatalf("key account %s: %s %v", other, got, err)
	}
}

func TestResultString(t *testing.T) {
	cases := map[string]Result{
		`explicit deny by resource policy statement "DenyInsecureTransport"`: {ExplicitDeny, "resource policy", "DenyInsecureTransport", 0},
		`allow by identity policy 2 statement 3`:                             {Allow, "identity policy 2", "", 3},
		`implicit deny (no statement matched)`:                               {ImplicitDeny, "", "", -1},
	}
	for want, r := range cases {
		if got := r.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// reference is a regexp rendering of the wildcard semantics.
func reference(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile("(?s)" + b.String()).MatchString(s)
}

func TestWildcardMatchAgainstRegexp(t *testing.T) {
	patterns := []string{"", "*", "?", "a*", "*a", "a*b", "*a*b*", "a?c", "**", "a*?", "*?*", "ab*ab", "*/*", "arn:*:s3:::b/*",
		"?b", "a?b", "??/*", "ä*"}
	subjects := []string{"", "a", "b", "ab", "abc", "acb", "aab", "abab", "ababab", "a/b", "*", "?", "arn:aws:s3:::b/x", "x*y",
		"ä", "äb", "aäb", "日本/ab"}
	for _, p := range patterns {
		for _, s := range subjects {
			if got, want := wildcardMatch(p, s), reference(p, s); got != want {
				t.Errorf("wildcardMatch(%q, %q) = %v, want %v", p, s, got, want)
			}
		}
	}
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("*", "")
	f.Add("x*y", "x*y")
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 64 || len(s) > 64 {
			return
		}
		if got, want := wildcardMatch(p, s), reference(p, s); got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v, want %v", p, s, got, want)
		}
	})
}
