#!/usr/bin/env python3
"""Share of JFR execution samples per cost category of a hot WebDAV GET: python3 jfr-cats.py REC.jfr [FROM].
FROM (0-1, default 0.5) skips that fraction of the samples, oldest first (the JIT warm-up).
A sample goes to the first specific category any of its frames matches (observation, security,
headers, path, cache...), else to the innermost generic one (WebFlux glue, Netty, Reactor operators)."""
import json,collections,sys,subprocess
rec=sys.argv[1]; frac=float(sys.argv[2]) if len(sys.argv)>2 else 0.5
out=subprocess.run(["/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr","print","--json","--stack-depth","1024","--events","jdk.ExecutionSample",rec],capture_output=True,text=True,check=True).stdout
ev=json.loads(out)['recording']['events']
ev.sort(key=lambda e:e['values']['startTime']); ev=ev[int(len(ev)*frac):]
cats=[('metrics: http.server.requests observation',('io/micrometer','ObservationSignalListener','ServerRequestObservation')),
 ('security: static header writers',('security/web/server/header',)),
 ('security: firewall',('firewall',)),
 ('security: other filters/matchers',('springframework/security',)),
 ('logback isDebugEnabled',('logback',)),
 ('fast GET: response headers (Date/ETag/Last-Modified/...)',('DavFastGet.validators','DavFastGet.send')),
 ('DAV: path check+decode (DavGuard, PathCodec, ObjectPath)',('PathCodec','DavGuard','ObjectPath','PathView')),
 ('cache lookup (FileService/LeaseCache/ContentCache)',('FileService','LeaseCache','ContentCache','CacheMetrics')),
 ('DAV: filter/fast GET glue',('DavFastGet','DavWebFilter','Preconditions')),
 ('other app filters (readonly/refusal/confined/audit)',('ReadOnlyFilter','RefusalFilter','ConfinedRoots','AuditFilter')),
 ('WebFlux: response commit (headers to Netty)',('AbstractServerHttpResponse.doCommit','ReactorServerHttpResponse.applyHeaders','AbstractServerHttpResponse.lambda$doCommit')),
 ('WebFlux: request/exchange adaption',('ReactorServerHttpRequest','ReactorUriHelper','DefaultServerWebExchange','ReactorHttpHandlerAdapter.apply','ReactorServerHttpResponse.<init>')),
 ('WebFlux: filter chain/handler glue',('springframework/web','springframework/http','springframework/boot')),
 ('Netty: write/flush',('HttpServerOperations.send','ChannelOperations.onComplete','HttpTrafficHandler.write','AbstractChannelHandlerContext.write','flush','HttpObjectEncoder')),
 ('Netty: read/decode',('HttpObjectDecoder','epollInReady','ByteToMessageDecoder.callDecode')),
 ('reactor operators',('reactor/core',)),
 ('GC/JIT/other',('',))]
c=collections.Counter(); tot=len(ev)
for e in ev:
    fr=[f['method']['type']['name']+'.'+f['method']['name'] for f in (e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else [])]
    hit=None
    specific=[x for x in cats[:-1] if not x[0].startswith(('WebFlux: filter','Netty','reactor'))]
    generic=[x for x in cats[:-1] if x not in specific]
    for name,keys in specific:
        if any(k in f for f in fr for k in keys): hit=name; break
    if not hit:
        for f in fr:
            for name,keys in generic:
                if any(k in f for k in keys): hit=name; break
            if hit: break
    c[hit or cats[-1][0]]+=1
print(f"{tot} samples")
for n,k in c.most_common(): print(f"{100*k/tot:5.1f}%  {n}")
