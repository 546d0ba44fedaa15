/* fake Xen for xenstored; filled in later */
