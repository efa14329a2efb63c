#!/usr/bin/env python3
# WebDAV lock costs against a running gateway: python3 benchmarks/scripts/davlocks.py GATEWAY_PORT
# (one node and one gateway, auth off; see docs/webdav.md "Measured").
import http.client, time, sys, re, statistics
port=int(sys.argv[1]); N=500
c=http.client.HTTPConnection('127.0.0.1',port)
def req(m,p,body=None,h={}):
    c.request(m,p,body=body,headers=h); r=c.getresponse(); d=r.read(); return r.status,r.getheader('Lock-Token'),d
LI=b'<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>bench</D:owner></D:lockinfo>'
req('PUT','/dav/b.txt',b'x')
def timeit(f):
    ts=[]
    for i in range(N):
        t=time.perf_counter(); f(); ts.append((time.perf_counter()-t)*1e3)
    ts.sort(); return f"median {statistics.median(ts):.2f} ms, p99 {ts[int(N*0.99)]:.2f} ms"
def lockunlock():
    s,tok,_=req('LOCK','/dav/b.txt',LI,{'Depth':'0'}); assert s==200,s
    s,_,_=req('UNLOCK','/dav/b.txt',None,{'Lock-Token':tok}); assert s==204,s
print('LOCK+UNLOCK pair:', timeit(lockunlock))
print('PUT 1 byte, no lock, no If:', timeit(lambda: req('PUT','/dav/b.txt',b'y')))
s,tok,_=req('LOCK','/dav/b.txt',LI,{'Depth':'0'})
print('PUT 1 byte, locked, If: (<token>):', timeit(lambda: req('PUT','/dav/b.txt',b'z',{'If':'('+tok+')'})))
req('UNLOCK','/dav/b.txt',None,{'Lock-Token':tok})
req('MKCOL','/dav/dir/')
for i in range(100): req('PUT',f'/dav/dir/f{i}',b'x')
PF=lambda props: ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'+props+'</D:prop></D:propfind>').encode()
N=50
print('PROPFIND Depth 1, 100 files, getetag:', timeit(lambda: req('PROPFIND','/dav/dir/',PF('<D:getetag/>'),{'Depth':'1'})))
print('PROPFIND Depth 1, 100 files, getetag+lockdiscovery:', timeit(lambda: req('PROPFIND','/dav/dir/',PF('<D:getetag/><D:lockdiscovery/>'),{'Depth':'1'})))
