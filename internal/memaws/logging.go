package memaws

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// LogDelivery is one attempt to deliver buffered server access-log records
// as a log object.
type LogDelivery struct {
	Time         time.Time
	SourceBucket string
	TargetBucket string
	Key          string // the log object's key
	Records      int
	Delivered    bool
	// Reason says why nothing was delivered (missing target, target policy
	// does not allow logging.s3.amazonaws.com, SSE-KMS default encryption
	// on the target).
	Reason string
}

// LogDeliveries returns every log delivery attempt so far (not persisted).
func (a *Account) LogDeliveries() []LogDelivery {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	return append([]LogDelivery(nil), a.w.deliveries...)
}

const hexUpper = "0123456789ABCDEF"

// logObjectKey names a log object: SimplePrefix
// <prefix>YYYY-mm-DD-HH-MM-SS-<unique>, or PartitionedPrefix
// <prefix><account>/<region>/<bucket>/YYYY/mm/DD/YYYY-mm-DD-HH-MM-SS-<unique>
// with the date from the event time unless PartitionDateSource is
// DeliveryTime.
func (w *world) logObjectKey(src *bucket, l *cloud.LoggingEnabled, eventTime, deliveryTime time.Time) string {
	name := deliveryTime.UTC().Format("2006-01-02-15-04-05") + "-" + randomString(hexUpper, 16)
	if !l.PartitionedPrefix {
		return l.TargetPrefix + name
	}
	day := eventTime
	if l.PartitionDateSource == "DeliveryTime" {
		day = deliveryTime
	}
	return l.TargetPrefix + w.st.AccountID + "/" + src.Region + "/" + src.Name + "/" + day.UTC().Format("2006/01/02") + "/" + name
}

// logDeliveryAllowed reports whether the target's bucket policy lets the
// logging service write key for the source bucket.
func (w *world) logDeliveryAllowed(src *bucket, target *bucket, key string) bool {
	req := eval.Request{
		Principal: eval.Principal{Service: logDeliveryService},
		Action:    "s3:PutObject",
		Resource:  cloud.BucketARN(w.st.Partition, target.Name) + "/" + key,
		Context: map[string][]string{
			"aws:SourceArn":       {cloud.BucketARN(w.st.Partition, src.Name)},
			"aws:SourceAccount":   {w.st.AccountID},
			"aws:SecureTransport": {"true"},
		},
	}
	d, err := eval.Authorize(req, nil, target.Policy)
	return err == nil && d == eval.Allow
}

// restOperation is the access-log operation name of an API call.
func restOperation(op string) string {
	switch op {
	case "PutObject":
		return "REST.PUT.OBJECT"
	case "GetObject":
		return "REST.GET.OBJECT"
	case "HeadObject":
		return "REST.HEAD.OBJECT"
	case "DeleteObject":
		return "REST.DELETE.OBJECT"
	case "DeleteObjects":
		return "REST.POST.MULTI_OBJECT_DELETE"
	case "ListObjectVersions":
		return "REST.GET.BUCKETVERSIONS"
	case "CreateMultipartUpload":
		return "REST.POST.UPLOADS"
	case "UploadPart":
		return "REST.PUT.PART"
	case "CompleteMultipartUpload":
		return "REST.POST.UPLOAD"
	case "AbortMultipartUpload":
		return "REST.DELETE.UPLOAD"
	case "ListMultipartUploads":
		return "REST.GET.UPLOADS"
	case "HeadBucket":
		return "REST.HEAD.BUCKET"
	}
	for _, verb := range []string{"Get", "Put", "Delete"} {
		if rest, ok := strings.CutPrefix(op, verb); ok {
			rest = strings.TrimPrefix(rest, "Bucket")
			return "REST." + strings.ToUpper(verb) + "." + strings.ToUpper(rest)
		}
	}
	return "REST." + strings.ToUpper(op)
}

// logRequest buffers an access-log record for a call on a bucket with
// logging enabled. Caller holds mu.
func (w *world) logRequest(p principal, ci callInfo, err error, now time.Time) {
	b := w.st.Buckets[ci.bucket]
	if b == nil || b.Logging == nil || b.Region != ci.region {
		return
	}
	status, code := 200, "-"
	if err != nil {
		status, code = 500, "InternalError"
		if e, ok := err.(*cloud.Error); ok {
			status, code = e.HTTPStatus, e.Code
		}
	}
	key := ci.key
	if key == "" {
		key = "-"
	}
	line := fmt.Sprintf("%s %s [%s] 127.0.0.1 %s %s %s %s \"%s /%s/%s HTTP/1.1\" %d %s - - 1 1 \"-\" \"hanavault-memaws\" - %s SigV4 TLS_AES_128_GCM_SHA256 AuthHeader s3.%s.%s TLSv1.3 - -",
		strings.Repeat("7", 64), b.Name, now.UTC().Format("02/Jan/2006:15:04:05 +0000"), p.arn,
		randomString(hexUpper, 16), restOperation(ci.op), key, httpVerb(ci.op), b.Name, ci.key, status, code,
		randomString(urlSafe, 56), b.Region, cloud.DNSSuffix(w.st.Partition))
	w.st.LogBuffer = append(w.st.LogBuffer, &logRecord{
		Source: b.Name, Region: b.Region, Target: *b.Logging, Time: now, Line: line, Created: now,
	})
	w.dirty = true
}

func httpVerb(op string) string {
	switch {
	case strings.HasPrefix(op, "Put"), op == "UploadPart":
		return "PUT"
	case strings.HasPrefix(op, "Delete") && op != "DeleteObjects", strings.HasPrefix(op, "Abort"):
		return "DELETE"
	case strings.HasPrefix(op, "Head"):
		return "HEAD"
	case strings.HasPrefix(op, "Create"), strings.HasPrefix(op, "Complete"), op == "DeleteObjects":
		return "POST"
	default:
		return "GET"
	}
}

// flushLogs delivers the buffered records of every source bucket whose
// oldest record has waited LogDeliveryDelay: one log object per source and
// target per flush. Delivery is best effort: records that cannot be
// delivered are dropped. Caller holds mu.
func (w *world) flushLogs(now time.Time) {
	if len(w.st.LogBuffer) == 0 {
		return
	}
	if w.logDelay > 0 && now.Sub(w.st.LogBuffer[0].Created) < w.logDelay {
		// The buffer is kept oldest first: nothing is due yet.
		return
	}
	type group struct {
		src    string
		target cloud.LoggingEnabled
		recs   []*logRecord
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range w.st.LogBuffer {
		id := r.Source + "\x00" + r.Target.TargetBucket + "\x00" + r.Target.TargetPrefix
		g := index[id]
		if g == nil {
			g = &group{src: r.Source, target: r.Target}
			index[id] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, r)
	}
	var keep []*logRecord
	for _, g := range groups {
		if w.logDelay > 0 && now.Sub(g.recs[0].Created) < w.logDelay {
			keep = append(keep, g.recs...)
			continue
		}
		w.deliverLogs(g.src, g.recs[0].Region, g.target, g.recs, now)
	}
	if len(keep) == len(w.st.LogBuffer) {
		return
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Created.Before(keep[j].Created) })
	w.st.LogBuffer = keep
	w.dirty = true
}

func (w *world) deliverLogs(srcName, srcRegion string, l cloud.LoggingEnabled, recs []*logRecord, now time.Time) {
	src := w.st.Buckets[srcName]
	if src == nil {
		src = &bucket{Name: srcName, Region: srcRegion} // deleted meanwhile: logs still arrive
	}
	key := w.logObjectKey(src, &l, recs[0].Time, now)
	d := LogDelivery{Time: now, SourceBucket: srcName, TargetBucket: l.TargetBucket, Key: key, Records: len(recs)}
	target := w.st.Buckets[l.TargetBucket]
	switch {
	case target == nil || target.Region != srcRegion:
		d.Reason = "target bucket does not exist in " + srcRegion
	case !w.logDeliveryAllowed(src, target, key):
		d.Reason = "target bucket policy does not allow " + logDeliveryService + " to write " + key
	case target.Encryption.SSEAlgorithm != cloud.SSEAES256:
		d.Reason = "target bucket default encryption is " + target.Encryption.SSEAlgorithm + "; server access logs need SSE-S3"
	default:
		var body strings.Builder
		for _, r := range recs {
			body.WriteString(r.Line)
			body.WriteByte('\n')
		}
		w.addVersion(target, key, &objVersion{
			Body: []byte(body.String()), ETag: etagOf([]byte(body.String())),
			SSE: cloud.SSEAES256, StorageClass: "STANDARD",
		}, now)
		d.Delivered = true
	}
	w.deliveries = append(w.deliveries, d)
}
