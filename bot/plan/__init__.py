"""The draft-plan checker (issue #19): read a draft EHC plan, find Section F, and
quote back each provision sentence that is not specific or quantified."""
