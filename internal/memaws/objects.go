package memaws

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

const (
	maxDeleteObjects = 1000
	maxListKeys      = 1000
	maxKeyLength     = 1024
	minPartSize      = 5 << 20
	maxPartNumber    = 10000
	sseDSSE          = "aws:kms:dsse"

	keySSE      = "s3:x-amz-server-side-encryption"
	keySSEKeyID = "s3:x-amz-server-side-encryption-aws-kms-key-id"
	keySSEC     = "s3:x-amz-server-side-encryption-customer-algorithm"
)

func (w *world) objectArn(b *bucket, key string) string {
	return cloud.BucketARN(w.st.Partition, b.Name) + "/" + key
}

// authorize evaluates a data-plane request of the view's principal.
func (c s3Client) authorize(p principal, action, resource string, b *bucket, extra map[string][]string) error {
	ctx := requestContext(!c.a.insecure)
	for k, v := range extra {
		ctx[k] = v
	}
	return c.a.w.authorizeS3(p, action, resource, b.Policy, ctx)
}

// sseContext returns the SSE condition keys of the headers actually sent.
func sseContext(sse, keyID, ssec string) map[string][]string {
	ctx := map[string][]string{}
	if sse != "" {
		ctx[keySSE] = []string{sse}
	}
	if keyID != "" {
		ctx[keySSEKeyID] = []string{keyID}
	}
	if ssec != "" {
		ctx[keySSEC] = []string{ssec}
	}
	return ctx
}

// sseChoice is the encryption a write ends up with.
type sseChoice struct {
	sse       string // AES256 | aws:kms | aws:kms:dsse | "" for SSE-C
	ssec      bool
	keyRef    string // KMS key as referenced (ID, ARN, alias)
	bucketKey bool
}

// chooseEncryption applies the request headers, else the bucket default.
// A header aws:kms without a key ID means the AWS managed key aws/s3.
func (c s3Client) chooseEncryption(b *bucket, sse, keyID, ssec string, bucketKeyHdr *bool) (sseChoice, error) {
	switch sse {
	case "", cloud.SSEAES256, cloud.SSEKMS, sseDSSE:
	default:
		return sseChoice{}, awsErr(cloud.CodeInvalidArgument, 400, "The encryption method specified is not supported")
	}
	if keyID != "" && sse != cloud.SSEKMS && sse != sseDSSE {
		return sseChoice{}, awsErr(cloud.CodeInvalidArgument, 400, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	}
	if ssec != "" {
		switch {
		case sse != "":
			return sseChoice{}, awsErr(cloud.CodeInvalidArgument, 400, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified")
		case ssec != cloud.SSEAES256:
			return sseChoice{}, awsErr(cloud.CodeInvalidArgument, 400, "The customer-provided encryption algorithm %q is not supported", ssec)
		case c.a.insecure:
			return sseChoice{}, awsErr(cloud.CodeInvalidRequest, 400, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
		}
		return sseChoice{ssec: true}, nil
	}
	ch := sseChoice{sse: sse, keyRef: keyID}
	if sse == "" {
		ch.sse, ch.keyRef = b.Encryption.SSEAlgorithm, b.Encryption.KMSMasterKeyID
	}
	if ch.sse == cloud.SSEAES256 {
		return sseChoice{sse: cloud.SSEAES256}, nil
	}
	if ch.keyRef == "" {
		ch.keyRef = awsS3Alias
	}
	ch.bucketKey = b.Encryption.BucketKeyEnabled && ch.sse == cloud.SSEKMS
	if bucketKeyHdr != nil {
		ch.bucketKey = *bucketKeyHdr && ch.sse == cloud.SSEKMS
	}
	if c.a.insecure {
		return sseChoice{}, awsErr(cloud.CodeInvalidArgument, 400, "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.")
	}
	return ch, nil
}

// encrypt resolves and uses the KMS key of a write (kms:GenerateDataKey
// as the requester, through S3 in the bucket's region) and records the
// encryption on v.
func (c s3Client) encrypt(p principal, b *bucket, key string, ch sseChoice, v *objVersion, now time.Time) error {
	w := c.a.w
	v.SSE, v.SSEC = ch.sse, ch.ssec
	if ch.sse != cloud.SSEKMS && ch.sse != sseDSSE {
		return nil
	}
	ctxArn := w.objectArn(b, key)
	if ch.bucketKey {
		ctxArn = cloud.BucketARN(w.st.Partition, b.Name)
	}
	k, err := w.s3KMS(p, "kms:GenerateDataKey", b.Region, ch.keyRef, ctxArn, now)
	if err != nil {
		return err
	}
	v.KeyArn, v.BucketKey = w.keyArn(k), ch.bucketKey
	return nil
}

func objectInfoAt(b *bucket, v *objVersion, now time.Time) cloud.ObjectInfo {
	info := objectInfo(b, v)
	info.LastModified = v.LastModified
	info.Restore = restoreStatus(v, now)
	return info
}

func objectInfo(b *bucket, v *objVersion) cloud.ObjectInfo {
	id := v.VersionID
	if id == nullVersion && b.Versioning == "" {
		id = ""
	}
	return cloud.ObjectInfo{
		VersionID: id, ContentLength: int64(len(v.Body)), ServerSideEncryption: v.SSE,
		SSEKMSKeyID: v.KeyArn, BucketKeyEnabled: v.BucketKey, ReplicationStatus: v.Replication,
		StorageClass: v.StorageClass, DeleteMarker: v.DeleteMarker,
	}
}

func checkKey(key string) error {
	if key == "" || len(key) > maxKeyLength {
		return awsErr("KeyTooLongError", 400, "Your key is empty or too long (%d bytes; at most %d).", len(key), maxKeyLength)
	}
	return nil
}

func (c s3Client) PutObject(ctx context.Context, in cloud.PutObjectInput) (cloud.ObjectInfo, error) {
	return call(c.a, ctx, c.ci("PutObject", in.Bucket, in.Key), func(now time.Time) (cloud.ObjectInfo, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		if err := checkKey(in.Key); err != nil {
			return cloud.ObjectInfo{}, err
		}
		p := c.a.caller()
		if err := c.authorize(p, "s3:PutObject", w.objectArn(b, in.Key), b,
			sseContext(in.ServerSideEncryption, in.SSEKMSKeyID, in.SSECustomerAlgorithm)); err != nil {
			return cloud.ObjectInfo{}, err
		}
		ch, err := c.chooseEncryption(b, in.ServerSideEncryption, in.SSEKMSKeyID, in.SSECustomerAlgorithm, in.BucketKeyEnabled)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		class := in.StorageClass
		if class == "" {
			class = cloud.StorageClassStandard
		}
		if !slices.Contains(storageClasses, class) { // PutObject, x-amz-storage-class
			return cloud.ObjectInfo{}, awsErr("InvalidStorageClass", 400, "The storage class you specified is not valid")
		}
		body := append([]byte(nil), in.Body...)
		v := &objVersion{Body: body, ETag: etagOf(body), StorageClass: class}
		if err := c.encrypt(p, b, in.Key, ch, v, now); err != nil {
			return cloud.ObjectInfo{}, err
		}
		w.addVersion(b, in.Key, v, now)
		return objectInfo(b, v), nil
	})
}

// readObject finds the version a GET or HEAD asks for, with S3's answers
// for missing keys (NoSuchKey only with s3:ListBucket, else AccessDenied),
// delete markers and SSE-C objects. head selects the body-less codes.
func (c s3Client) readObject(b *bucket, key, versionID string, head bool) (principal, *objVersion, error) {
	w := c.a.w
	p := c.a.caller()
	code := func(get, hd string) string {
		if head {
			return hd
		}
		return get
	}
	action := "s3:GetObject"
	if versionID != "" {
		action = "s3:GetObjectVersion"
	}
	if err := c.authorize(p, action, w.objectArn(b, key), b, nil); err != nil {
		if head {
			return p, nil, awsErr(cloud.CodeForbidden, 403, "Forbidden")
		}
		return p, nil, err
	}
	var v *objVersion
	if versionID == "" {
		v = latest(b, key)
		if v == nil {
			if c.authorize(p, "s3:ListBucket", cloud.BucketARN(w.st.Partition, b.Name), b, nil) != nil {
				return p, nil, awsErr(code(cloud.CodeAccessDenied, cloud.CodeForbidden), 403, "Access Denied")
			}
			return p, nil, awsErr(code(cloud.CodeNoSuchKey, cloud.CodeNotFound), 404, "The specified key does not exist.")
		}
		if v.DeleteMarker {
			return p, nil, awsErr(code(cloud.CodeNoSuchKey, cloud.CodeNotFound), 404, "The specified key does not exist (the current version is a delete marker).")
		}
	} else {
		v = findVersion(b, key, versionID)
		if v == nil {
			return p, nil, awsErr(code("NoSuchVersion", cloud.CodeNotFound), 404, "The specified version does not exist.")
		}
		if v.DeleteMarker {
			return p, nil, awsErr("MethodNotAllowed", 405, "The specified method is not allowed against this resource (a delete marker).")
		}
	}
	if v.SSEC {
		return p, nil, awsErr(code(cloud.CodeInvalidRequest, "BadRequest"), 400,
			"The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	}
	return p, v, nil
}

func (c s3Client) HeadObject(ctx context.Context, bucketName, key, versionID string) (cloud.ObjectInfo, error) {
	return call(c.a, ctx, c.ci("HeadObject", bucketName, key), func(now time.Time) (cloud.ObjectInfo, error) {
		b, err := c.bucketAt(bucketName)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		_, v, err := c.readObject(b, key, versionID, true)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		return objectInfoAt(b, v, now), nil
	})
}

func (c s3Client) GetObject(ctx context.Context, bucketName, key, versionID string) (cloud.GetObjectOutput, error) {
	return call(c.a, ctx, c.ci("GetObject", bucketName, key), func(now time.Time) (cloud.GetObjectOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(bucketName)
		if err != nil {
			return cloud.GetObjectOutput{}, err
		}
		p, v, err := c.readObject(b, key, versionID, false)
		if err != nil {
			return cloud.GetObjectOutput{}, err
		}
		if !readable(v, now) {
			return cloud.GetObjectOutput{}, awsErr(cloud.CodeInvalidObjectState, 403, "The operation is not valid for the object's storage class")
		}
		if v.SSE == cloud.SSEKMS || v.SSE == sseDSSE {
			ctxArn := w.objectArn(b, key)
			if v.BucketKey {
				ctxArn = cloud.BucketARN(w.st.Partition, b.Name)
			}
			if _, err := w.s3KMS(p, "kms:Decrypt", b.Region, v.KeyArn, ctxArn, now); err != nil {
				return cloud.GetObjectOutput{}, err
			}
		}
		return cloud.GetObjectOutput{ObjectInfo: objectInfoAt(b, v, now), Body: append([]byte(nil), v.Body...)}, nil
	})
}

// deleteOne deletes a key (adding a delete marker in versioned buckets) or
// one version for good. The caller has authorized it.
func (w *world) deleteOne(b *bucket, key, versionID string, now time.Time) cloud.DeleteObjectOutput {
	if versionID != "" {
		v := w.removeVersion(b, key, versionID)
		return cloud.DeleteObjectOutput{VersionID: versionID, DeleteMarker: v != nil && v.DeleteMarker}
	}
	if b.Versioning == "" {
		w.removeVersion(b, key, nullVersion)
		return cloud.DeleteObjectOutput{}
	}
	m := &objVersion{DeleteMarker: true}
	w.addVersion(b, key, m, now)
	return cloud.DeleteObjectOutput{VersionID: m.VersionID, DeleteMarker: true}
}

func deleteAction(versionID string) string {
	if versionID != "" {
		return "s3:DeleteObjectVersion"
	}
	return "s3:DeleteObject"
}

func (c s3Client) DeleteObject(ctx context.Context, bucketName, key, versionID string) (cloud.DeleteObjectOutput, error) {
	return call(c.a, ctx, c.ci("DeleteObject", bucketName, key), func(now time.Time) (cloud.DeleteObjectOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(bucketName)
		if err != nil {
			return cloud.DeleteObjectOutput{}, err
		}
		if err := c.authorize(c.a.caller(), deleteAction(versionID), w.objectArn(b, key), b, nil); err != nil {
			return cloud.DeleteObjectOutput{}, err
		}
		return w.deleteOne(b, key, versionID, now), nil
	})
}

func (c s3Client) DeleteObjects(ctx context.Context, bucketName string, objects []cloud.ObjectIdentifier) (cloud.DeleteObjectsOutput, error) {
	return call(c.a, ctx, c.ci("DeleteObjects", bucketName, ""), func(now time.Time) (cloud.DeleteObjectsOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(bucketName)
		if err != nil {
			return cloud.DeleteObjectsOutput{}, err
		}
		if len(objects) == 0 || len(objects) > maxDeleteObjects {
			return cloud.DeleteObjectsOutput{}, awsErr(cloud.CodeMalformedXML, 400,
				"The XML you provided was not well-formed or did not validate against our published schema (%d objects; 1 to %d allowed)", len(objects), maxDeleteObjects)
		}
		p := c.a.caller()
		var out cloud.DeleteObjectsOutput
		for _, o := range objects {
			if err := c.authorize(p, deleteAction(o.VersionID), w.objectArn(b, o.Key), b, nil); err != nil {
				out.Errors = append(out.Errors, cloud.DeleteError{Key: o.Key, VersionID: o.VersionID, Code: cloud.CodeAccessDenied, Message: "Access Denied"})
				continue
			}
			w.deleteOne(b, o.Key, o.VersionID, now)
			out.Deleted = append(out.Deleted, o)
		}
		return out, nil
	})
}

func (c s3Client) ListObjectVersions(ctx context.Context, in cloud.ListObjectVersionsInput) (cloud.ListObjectVersionsOutput, error) {
	return call(c.a, ctx, c.ci("ListObjectVersions", in.Bucket, ""), func(now time.Time) (cloud.ListObjectVersionsOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return cloud.ListObjectVersionsOutput{}, err
		}
		if err := c.authorize(c.a.caller(), "s3:ListBucketVersions", cloud.BucketARN(w.st.Partition, b.Name), b, nil); err != nil {
			return cloud.ListObjectVersionsOutput{}, err
		}
		max := int(in.MaxKeys)
		switch {
		case max < 0:
			return cloud.ListObjectVersionsOutput{}, awsErr(cloud.CodeInvalidArgument, 400, "max-keys cannot be negative")
		case max == 0 || max > maxListKeys:
			max = maxListKeys
		}
		if in.VersionIDMarker != "" && in.KeyMarker == "" {
			return cloud.ListObjectVersionsOutput{}, awsErr(cloud.CodeInvalidArgument, 400, "A version-id marker cannot be specified without a key marker.")
		}
		if w.motoMarker && in.VersionIDMarker != "" && !hasVersion(b.Objects[in.KeyMarker], in.VersionIDMarker) {
			return cloud.ListObjectVersionsOutput{}, nil
		}
		keys := b.keysSorted()
		from := in.KeyMarker
		if in.Prefix > from {
			from = in.Prefix
		}
		start := sort.SearchStrings(keys, from)
		var out cloud.ListObjectVersionsOutput
		n := 0
		for _, k := range keys[start:] {
			if !strings.HasPrefix(k, in.Prefix) {
				if k > in.Prefix {
					break // sorted: no later key has the prefix
				}
				continue
			}
			vs := b.Objects[k]
			from := len(vs) - 1 // newest first
			if k == in.KeyMarker {
				from = -1 // KeyMarker alone: skip the whole key
				if in.VersionIDMarker != "" {
					for i := len(vs) - 1; i >= 0; i-- {
						if vs[i].VersionID == in.VersionIDMarker {
							from = i - 1
							break
						}
					}
				}
			}
			for i := from; i >= 0; i-- {
				if n == max {
					out.IsTruncated = true
					return out, nil
				}
				v := vs[i]
				isLatest := i == len(vs)-1
				if v.DeleteMarker {
					out.DeleteMarkers = append(out.DeleteMarkers, cloud.DeleteMarkerEntry{Key: k, VersionID: v.VersionID, IsLatest: isLatest, LastModified: v.LastModified})
				} else {
					ov := cloud.ObjectVersion{Key: k, VersionID: v.VersionID, IsLatest: isLatest,
						Size: int64(len(v.Body)), StorageClass: v.StorageClass, LastModified: v.LastModified}
					if in.RestoreStatus {
						ov.Restore = restoreStatus(v, now)
					}
					out.Versions = append(out.Versions, ov)
				}
				n++
				out.NextKeyMarker, out.NextVersionIDMarker = k, v.VersionID
			}
		}
		out.NextKeyMarker, out.NextVersionIDMarker = "", ""
		return out, nil
	})
}

// ---------------------------------------------------------------- multipart

func noSuchUpload() error {
	return awsErr(cloud.CodeNoSuchUpload, 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func (c s3Client) uploadOf(b *bucket, key, id string) (*upload, error) {
	u := b.Uploads[id]
	if u == nil || u.Key != key {
		return nil, noSuchUpload()
	}
	return u, nil
}

func (c s3Client) CreateMultipartUpload(ctx context.Context, in cloud.CreateMultipartUploadInput) (string, error) {
	return call(c.a, ctx, c.ci("CreateMultipartUpload", in.Bucket, in.Key), func(now time.Time) (string, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return "", err
		}
		if err := checkKey(in.Key); err != nil {
			return "", err
		}
		p := c.a.caller()
		if err := c.authorize(p, "s3:PutObject", w.objectArn(b, in.Key), b, sseContext(in.ServerSideEncryption, in.SSEKMSKeyID, "")); err != nil {
			return "", err
		}
		ch, err := c.chooseEncryption(b, in.ServerSideEncryption, in.SSEKMSKeyID, "", nil)
		if err != nil {
			return "", err
		}
		var probe objVersion
		if err := c.encrypt(p, b, in.Key, ch, &probe, now); err != nil {
			return "", err
		}
		u := &upload{
			ID: randomString(urlSafe, 64), Key: in.Key, Seq: w.st.nextSeq(), Initiated: now,
			SSE: probe.SSE, KeyArn: probe.KeyArn, BucketKey: probe.BucketKey, Parts: map[int32]*part{},
		}
		b.Uploads[u.ID] = u
		w.dirty = true
		return u.ID, nil
	})
}

// UploadPart is authorized as s3:PutObject without any SSE header (parts
// carry none); for an SSE-KMS upload S3 decrypts the upload's data key, so
// the requester needs kms:Decrypt.
func (c s3Client) UploadPart(ctx context.Context, in cloud.UploadPartInput) (string, error) {
	return call(c.a, ctx, c.ci("UploadPart", in.Bucket, in.Key), func(now time.Time) (string, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return "", err
		}
		u, err := c.uploadOf(b, in.Key, in.UploadID)
		if err != nil {
			return "", err
		}
		p := c.a.caller()
		if err := c.authorize(p, "s3:PutObject", w.objectArn(b, in.Key), b, nil); err != nil {
			return "", err
		}
		if in.PartNumber < 1 || in.PartNumber > maxPartNumber {
			return "", awsErr(cloud.CodeInvalidArgument, 400, "Part number must be an integer between 1 and 10000, inclusive")
		}
		if u.SSE == cloud.SSEKMS || u.SSE == sseDSSE {
			ctxArn := w.objectArn(b, in.Key)
			if u.BucketKey {
				ctxArn = cloud.BucketARN(w.st.Partition, b.Name)
			}
			if _, err := w.s3KMS(p, "kms:Decrypt", b.Region, u.KeyArn, ctxArn, now); err != nil {
				return "", err
			}
		}
		body := append([]byte(nil), in.Body...)
		pt := &part{ETag: etagOf(body), Body: body}
		u.Parts[in.PartNumber] = pt
		w.dirty = true
		return pt.ETag, nil
	})
}

func (c s3Client) CompleteMultipartUpload(ctx context.Context, in cloud.CompleteMultipartUploadInput) (cloud.ObjectInfo, error) {
	return call(c.a, ctx, c.ci("CompleteMultipartUpload", in.Bucket, in.Key), func(now time.Time) (cloud.ObjectInfo, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		u, err := c.uploadOf(b, in.Key, in.UploadID)
		if err != nil {
			return cloud.ObjectInfo{}, err
		}
		if err := c.authorize(c.a.caller(), "s3:PutObject", w.objectArn(b, in.Key), b, nil); err != nil {
			return cloud.ObjectInfo{}, err
		}
		if len(in.Parts) == 0 {
			return cloud.ObjectInfo{}, awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (no parts)")
		}
		var body []byte
		sums := md5.New()
		for i := 1; i < len(in.Parts); i++ {
			if in.Parts[i].PartNumber <= in.Parts[i-1].PartNumber {
				return cloud.ObjectInfo{}, awsErr("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order of the part number.")
			}
		}
		for i, cp := range in.Parts {
			pt := u.Parts[cp.PartNumber]
			if pt == nil || strings.Trim(cp.ETag, `"`) != strings.Trim(pt.ETag, `"`) {
				return cloud.ObjectInfo{}, awsErr("InvalidPart", 400, "One or more of the specified parts could not be found (part %d). The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", cp.PartNumber)
			}
			if i < len(in.Parts)-1 && len(pt.Body) < minPartSize {
				return cloud.ObjectInfo{}, awsErr("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size (part %d has %d bytes; 5 MiB minimum except for the last part).", cp.PartNumber, len(pt.Body))
			}
			body = append(body, pt.Body...)
			raw, _ := hex.DecodeString(strings.Trim(pt.ETag, `"`))
			sums.Write(raw)
		}
		v := &objVersion{
			Body: body, ETag: fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(in.Parts)),
			SSE: u.SSE, KeyArn: u.KeyArn, BucketKey: u.BucketKey, StorageClass: "STANDARD",
		}
		delete(b.Uploads, u.ID)
		w.addVersion(b, in.Key, v, now)
		return objectInfo(b, v), nil
	})
}

func (c s3Client) AbortMultipartUpload(ctx context.Context, bucketName, key, uploadID string) error {
	return c.a.run(ctx, c.ci("AbortMultipartUpload", bucketName, key), func(time.Time) error {
		w := c.a.w
		b, err := c.bucketAt(bucketName)
		if err != nil {
			return err
		}
		if err := c.authorize(c.a.caller(), "s3:AbortMultipartUpload", w.objectArn(b, key), b, nil); err != nil {
			return err
		}
		if _, err := c.uploadOf(b, key, uploadID); err != nil {
			return err
		}
		delete(b.Uploads, uploadID)
		w.dirty = true
		return nil
	})
}

func (c s3Client) ListMultipartUploads(ctx context.Context, in cloud.ListMultipartUploadsInput) (cloud.ListMultipartUploadsOutput, error) {
	return call(c.a, ctx, c.ci("ListMultipartUploads", in.Bucket, ""), func(time.Time) (cloud.ListMultipartUploadsOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return cloud.ListMultipartUploadsOutput{}, err
		}
		if err := c.authorize(c.a.caller(), "s3:ListBucketMultipartUploads", cloud.BucketARN(w.st.Partition, b.Name), b, nil); err != nil {
			return cloud.ListMultipartUploadsOutput{}, err
		}
		ups := make([]*upload, 0, len(b.Uploads))
		for _, u := range b.Uploads {
			ups = append(ups, u)
		}
		sort.Slice(ups, func(i, j int) bool {
			if ups[i].Key != ups[j].Key {
				return ups[i].Key < ups[j].Key
			}
			return ups[i].Seq < ups[j].Seq
		})
		start := 0
		if in.KeyMarker != "" {
			start = len(ups)
			for i, u := range ups {
				if u.Key > in.KeyMarker {
					start = i
					break
				}
				if u.Key == in.KeyMarker && in.UploadIDMarker != "" && u.ID == in.UploadIDMarker {
					start = i + 1
					break
				}
			}
		}
		var out cloud.ListMultipartUploadsOutput
		for i := start; i < len(ups); i++ {
			if len(out.Uploads) == maxListKeys {
				out.IsTruncated = true
				last := out.Uploads[len(out.Uploads)-1]
				out.NextKeyMarker, out.NextUploadIDMarker = last.Key, last.UploadID
				break
			}
			out.Uploads = append(out.Uploads, cloud.MultipartUpload{Key: ups[i].Key, UploadID: ups[i].ID})
		}
		return out, nil
	})
}

func hasVersion(vs []*objVersion, id string) bool {
	for _, v := range vs {
		if v.VersionID == id {
			return true
		}
	}
	return false
}
